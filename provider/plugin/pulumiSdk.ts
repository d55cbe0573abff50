/**
 * The Pulumi Node SDK's generated gRPC stubs, loaded through the SDK's own dependency paths so the
 * message classes and the grpc library are the very instances the SDK ships with. These paths are
 * not public API of @pulumi/pulumi: the version this package is tested with is pinned in
 * devDependencies, and tests/plugin drives the served protocol end to end.
 */
import { createRequire } from "module";
import * as path from "path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as provTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as pluginTypes from "@pulumi/pulumi/proto/plugin_pb";

export const SDK_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
/** `require` as the SDK itself resolves modules (its own copies of grpc-js and google-protobuf). */
export const sdkRequire = createRequire(path.join(SDK_DIR, "package.json"));

export const grpc = sdkRequire("@grpc/grpc-js") as typeof grpcTypes;
export const structproto = sdkRequire(
  "google-protobuf/google/protobuf/struct_pb",
) as typeof structTypes;
export const emptyproto = sdkRequire(
  "google-protobuf/google/protobuf/empty_pb",
) as typeof emptyTypes;
export const provproto = sdkRequire("./proto/provider_pb") as typeof provTypes;
export const pluginproto = sdkRequire("./proto/plugin_pb") as typeof pluginTypes;
export const provrpc = sdkRequire("./proto/provider_grpc_pb") as {
  ResourceProviderService: grpcTypes.ServiceDefinition;
};

export type Struct = structTypes.Struct;
export type WireValue = structTypes.JavaScriptValue;
export type WireObject = { [key: string]: WireValue };

export function toStruct(o: WireObject): Struct {
  return structproto.Struct.fromJavaScript(o);
}
export function fromStruct(s: Struct | undefined): WireObject {
  return (s?.toJavaScript() ?? {}) as WireObject;
}
