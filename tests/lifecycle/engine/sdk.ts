/**
 * The SDK's own gRPC stubs and runtime, loaded through the SDK's dependency paths so message
 * classes and the grpc library are the very instances the SDK uses. These paths are not public
 * API: that is why package.json pins @pulumi/pulumi exactly.
 */
import { createRequire } from "module";
import * as path from "path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as resTypes from "@pulumi/pulumi/proto/resource_pb";
import type * as engineTypes from "@pulumi/pulumi/proto/engine_pb";
import type * as provTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as pluginTypes from "@pulumi/pulumi/proto/plugin_pb";

export const SDK_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const sdkRequire = createRequire(path.join(SDK_DIR, "package.json"));

export const grpc = sdkRequire("@grpc/grpc-js") as typeof grpcTypes;
export const structproto = sdkRequire(
  "google-protobuf/google/protobuf/struct_pb",
) as typeof structTypes;
export const emptyproto = sdkRequire(
  "google-protobuf/google/protobuf/empty_pb",
) as typeof emptyTypes;
export const resproto = sdkRequire("./proto/resource_pb") as typeof resTypes;
export const engineproto = sdkRequire("./proto/engine_pb") as typeof engineTypes;
export const provproto = sdkRequire("./proto/provider_pb") as typeof provTypes;
export const pluginproto = sdkRequire("./proto/plugin_pb") as typeof pluginTypes;
export const resrpc = sdkRequire("./proto/resource_grpc_pb") as {
  ResourceMonitorService: grpcTypes.ServiceDefinition;
};
export const enginerpc = sdkRequire("./proto/engine_grpc_pb") as {
  EngineService: grpcTypes.ServiceDefinition;
};
export const provrpc = sdkRequire("./proto/provider_grpc_pb") as {
  ResourceProviderClient: new (
    addr: string,
    creds: grpcTypes.ChannelCredentials,
  ) => grpcTypes.Client;
};

export const RUN_ENTRY = path.join(SDK_DIR, "cmd", "run");
export const DYNAMIC_PROVIDER_ENTRY = path.join(SDK_DIR, "cmd", "dynamic-provider");

export type Struct = structTypes.Struct;
export type JsObject = { [key: string]: structTypes.JavaScriptValue };

export function toStruct(o: JsObject): Struct {
  return structproto.Struct.fromJavaScript(o);
}
export function fromStruct(s: Struct | undefined): JsObject {
  return (s?.toJavaScript() ?? {}) as JsObject;
}
