import type { ServerUnaryCall, ServiceError, sendUnaryData } from "@grpc/grpc-js";
import { redact } from "../core/errors/redact";
import { PluginAdapter } from "./adapter";
import { typeFromUrn } from "./kinds";
import { packageSchemaJson, packageVersion } from "./packageSchema";
import {
  emptyproto,
  fromStruct,
  grpc,
  pluginproto,
  provproto,
  provrpc,
  toStruct,
} from "./pulumiSdk";
import type { CheckFailure } from "../core/schema/validate";
import { unwrapAll } from "./wire";

type P = typeof provproto;
type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

/**
 * One unary handler: an error becomes a gRPC status whose text passes through `redact`, so no
 * credential the process has learnt can leave in an error.
 */
function unary<Req, Res>(run: (req: Req) => Promise<Res> | Res): Handler<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => run(call.request))
      .then(
        (res) => callback(null, res),
        (e: unknown) => {
          const text = redact(e instanceof Error ? e.message : String(e));
          const err: Partial<ServiceError> = {
            code: grpc.status.UNKNOWN,
            details: text,
            message: text,
          };
          callback(err, null);
        },
      );
  };
}

function failuresOf(list: CheckFailure[]): InstanceType<P["CheckFailure"]>[] {
  return list.map((f) => {
    const x = new provproto.CheckFailure();
    x.setProperty(f.property);
    x.setReason(redact(f.reason));
    return x;
  });
}

/** The resource type of a request: its `type` field, or from the URN for older engines. */
const typeOf = (req: { getType(): string; getUrn(): string }): string =>
  req.getType() || typeFromUrn(req.getUrn());

/** The ResourceProvider service implementation (the methods it lacks answer UNIMPLEMENTED). */
export function resourceProviderService(adapter: PluginAdapter): Record<string, unknown> {
  const schema = packageSchemaJson();
  const version = packageVersion();
  return {
    handshake: unary<InstanceType<P["ProviderHandshakeRequest"]>, unknown>(() => {
      const res = new provproto.ProviderHandshakeResponse();
      res.setAcceptSecrets(true);
      res.setAcceptResources(true);
      res.setAcceptOutputs(false);
      return res;
    }),
    getPluginInfo: unary(() => {
      const res = new pluginproto.PluginInfo();
      res.setVersion(version);
      return res;
    }),
    getSchema: unary<InstanceType<P["GetSchemaRequest"]>, unknown>((req) => {
      if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
      const res = new provproto.GetSchemaResponse();
      res.setSchema(schema);
      return res;
    }),
    checkConfig: unary<InstanceType<P["CheckRequest"]>, unknown>((req) => {
      const r = adapter.checkConfig(fromStruct(req.getNews()));
      const res = new provproto.CheckResponse();
      res.setInputs(toStruct(r.inputs));
      res.setFailuresList(failuresOf(r.failures));
      return res;
    }),
    configure: unary<InstanceType<P["ConfigureRequest"]>, unknown>((req) => {
      const variables = new Map<string, string>();
      req.getVariablesMap().forEach((v, k) => variables.set(k, v));
      // Secret settings arrive wrapped: the values are what the client needs.
      adapter.configure({ args: unwrapAll(fromStruct(req.getArgs())), variables });
      const res = new provproto.ConfigureResponse();
      res.setAcceptsecrets(true);
      res.setAcceptresources(true);
      res.setAcceptoutputs(false);
      res.setSupportspreview(true);
      return res;
    }),
    check: unary<InstanceType<P["CheckRequest"]>, unknown>(async (req) => {
      const r = await adapter.check(typeOf(req), fromStruct(req.getNews()));
      const res = new provproto.CheckResponse();
      res.setInputs(toStruct(r.inputs));
      res.setFailuresList(failuresOf(r.failures));
      return res;
    }),
    diff: unary<InstanceType<P["DiffRequest"]>, unknown>(async (req) => {
      const d = await adapter.diff(
        typeOf(req),
        req.getId(),
        fromStruct(req.getOlds()),
        fromStruct(req.getNews()),
        req.getUrn(),
      );
      const res = new provproto.DiffResponse();
      const C = provproto.DiffResponse.DiffChanges;
      res.setChanges(d.changes ? C.DIFF_SOME : C.DIFF_NONE);
      res.setReplacesList(d.replaces);
      res.setDeletebeforereplace(d.deleteBeforeReplace);
      return res;
    }),
    create: unary<InstanceType<P["CreateRequest"]>, unknown>(async (req) => {
      const r = await adapter.create(
        typeOf(req),
        fromStruct(req.getProperties()),
        req.getPreview(),
        req.getUrn(),
      );
      const res = new provproto.CreateResponse();
      res.setId(r.id);
      res.setProperties(toStruct(r.properties));
      return res;
    }),
    read: unary<InstanceType<P["ReadRequest"]>, unknown>(async (req) => {
      const r = await adapter.read(
        typeOf(req),
        req.getId(),
        fromStruct(req.getProperties()),
        fromStruct(req.getInputs()),
      );
      const res = new provproto.ReadResponse();
      res.setId(r.id);
      if (r.properties) res.setProperties(toStruct(r.properties));
      if (r.inputs) res.setInputs(toStruct(r.inputs));
      return res;
    }),
    update: unary<InstanceType<P["UpdateRequest"]>, unknown>(async (req) => {
      const outs = await adapter.update(
        typeOf(req),
        req.getId(),
        fromStruct(req.getOlds()),
        fromStruct(req.getNews()),
        req.getPreview(),
      );
      const res = new provproto.UpdateResponse();
      res.setProperties(toStruct(outs));
      return res;
    }),
    delete: unary<InstanceType<P["DeleteRequest"]>, unknown>(async (req) => {
      await adapter.delete(typeOf(req), req.getId(), fromStruct(req.getProperties()), req.getUrn());
      return new emptyproto.Empty();
    }),
    invoke: unary<InstanceType<P["InvokeRequest"]>, unknown>(async (req) => {
      const r = await adapter.invoke(req.getTok(), fromStruct(req.getArgs()));
      const res = new provproto.InvokeResponse();
      if (r.result) res.setReturn(toStruct(r.result));
      res.setFailuresList(failuresOf(r.failures));
      return res;
    }),
    cancel: unary(() => new emptyproto.Empty()),
    attach: unary(() => new emptyproto.Empty()),
  };
}

/** Serves the plugin on a loopback port chosen by the system; resolves with the port. */
export async function serve(adapter: PluginAdapter): Promise<{ port: number; stop(): void }> {
  const server = new grpc.Server();
  server.addService(
    provrpc.ResourceProviderService,
    resourceProviderService(adapter) as unknown as Parameters<typeof server.addService>[1],
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { port, stop: () => server.forceShutdown() };
}
