/**
 * The Pulumi Node SDK's generated gRPC stubs and the libraries they are built on, imported
 * statically so that a bundler can follow them: the plugin ships as one file (a Node single
 * executable application; scripts/bundle-plugin.js). The proto paths are not public API of
 * @pulumi/pulumi: the version this package is tested with is pinned in devDependencies, and
 * tests/plugin drives the served protocol end to end. @grpc/grpc-js and google-protobuf are
 * dependencies of this package in the SDK's own ranges, so npm installs one copy of each.
 */
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as pluginproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";

export { grpc, structproto, emptyproto, provproto, pluginproto };
export const provrpc = provGrpc as unknown as {
  ResourceProviderService: grpc.ServiceDefinition;
};

export type Struct = structproto.Struct;
export type WireValue = structproto.JavaScriptValue;
export type WireObject = { [key: string]: WireValue };

export function toStruct(o: WireObject): Struct {
  return structproto.Struct.fromJavaScript(o);
}
export function fromStruct(s: Struct | undefined): WireObject {
  return (s?.toJavaScript() ?? {}) as WireObject;
}
