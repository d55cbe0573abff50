/**
 * The SDK's own gRPC stubs and runtime, loaded through the SDK's dependency paths so message
 * classes and the grpc library are the very instances the SDK uses. These paths are not public
 * API: that is why package.json pins @pulumi/pulumi exactly.
 */
import * as path from "path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as resTypes from "@pulumi/pulumi/proto/resource_pb";
import type * as engineTypes from "@pulumi/pulumi/proto/engine_pb";
import { createRequire } from "module";

/** The SDK's folder, and `require` as the SDK itself resolves modules. */
export const SDK_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const sdkRequire = createRequire(path.join(SDK_DIR, "package.json"));

// The loading the plugin itself uses (grpc, protobuf and the provider protocol), plus what only
// an engine needs: the resource monitor and engine services.
export {
  grpc,
  structproto,
  emptyproto,
  provproto,
  pluginproto,
  toStruct,
  fromStruct,
} from "../../../provider/plugin/pulumiSdk";
export type { Struct } from "../../../provider/plugin/pulumiSdk";
import type { WireObject } from "../../../provider/plugin/pulumiSdk";
export const resproto = sdkRequire("./proto/resource_pb") as typeof resTypes;
export const engineproto = sdkRequire("./proto/engine_pb") as typeof engineTypes;
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

/** Property bags as JavaScript values (what the plugin code calls WireObject). */
export type JsObject = WireObject;
