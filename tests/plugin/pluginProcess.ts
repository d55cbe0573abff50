import { ChildProcess, spawn } from "child_process";
import type { Client } from "@grpc/grpc-js";
import {
  JsObject,
  emptyproto,
  engineproto,
  enginerpc,
  fromStruct,
  grpc,
  provproto,
  provrpc,
  toStruct,
} from "../lifecycle/engine/sdk";

type Unary = (req: unknown, cb: (err: Error | null, res: unknown) => void) => void;
type Message = { serializeBinary(): Uint8Array };

export interface Failure {
  property: string;
  reason: string;
}

/**
 * A minimal engine for the plugin's launch contract: a gRPC Engine service whose Log calls are
 * recorded. (The plugin sends nothing there today; the recording proves it if that changes.)
 */
export async function engineStub(): Promise<{ addr: string; logs: string[]; stop(): void }> {
  const logs: string[] = [];
  const server = new grpc.Server();
  server.addService(enginerpc.EngineService, {
    log: (
      call: { request: InstanceType<typeof engineproto.LogRequest> },
      cb: (e: null, r: unknown) => void,
    ) => {
      logs.push(call.request.getMessage());
      cb(null, new emptyproto.Empty());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { addr: `127.0.0.1:${port}`, logs, stop: () => server.forceShutdown() };
}

/**
 * The plugin executable started as the engine starts a resource plugin, driven over gRPC with the
 * SDK's generated client. Every answer is kept in its serialized form (`wire`) and every error and
 * stderr line as text, so tests can search all of it for credentials.
 */
export class PluginProcess {
  readonly wire: Buffer[] = [];
  /** Every property bag the plugin answered with, decoded (secret wrappers kept). */
  readonly answers: JsObject[] = [];
  readonly errors: string[] = [];
  readonly stderr: string[] = [];
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: Client,
  ) {}

  static async start(
    bin: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    cwd: string,
  ): Promise<PluginProcess> {
    const child = spawn(bin, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const stderr: string[] = [];
    child.stderr?.on("data", (d: Buffer) => stderr.push(d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      let buf = "";
      child.stdout?.on("data", (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf("\n");
        if (nl >= 0) resolve(buf.slice(0, nl).trim());
      });
      child.once("exit", (code) =>
        reject(new Error(`plugin exited with ${code} before listening: ${stderr.join("")}`)),
      );
    });
    const client = new provrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    const p = new PluginProcess(child, client);
    child.stderr?.removeAllListeners("data");
    p.stderr.push(...stderr);
    child.stderr?.on("data", (d: Buffer) => p.stderr.push(d.toString()));
    return p;
  }

  /** One unary call; the answer is recorded, an error becomes a rejection with its text. */
  rpc<T extends Message>(name: string, req: unknown): Promise<T> {
    const fn = (this.client as unknown as Record<string, Unary>)[name].bind(this.client);
    return new Promise<T>((resolve, reject) =>
      fn(req, (err, res) => {
        if (err) {
          this.errors.push(err.message);
          reject(new Error(err.message));
        } else {
          this.wire.push(Buffer.from((res as T).serializeBinary()));
          resolve(res as T);
        }
      }),
    );
  }

  async getSchema(): Promise<string> {
    const req = new provproto.GetSchemaRequest();
    const res = await this.rpc<InstanceType<typeof provproto.GetSchemaResponse>>("getSchema", req);
    return res.getSchema();
  }

  async checkConfig(news: JsObject): Promise<{ inputs: JsObject; failures: Failure[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn("urn:pulumi:dev::p::pulumi:providers:bitrix24::default");
    req.setNews(toStruct(news));
    const res = await this.rpc<InstanceType<typeof provproto.CheckResponse>>("checkConfig", req);
    return {
      inputs: this.keep(fromStruct(res.getInputs())),
      failures: failures(res.getFailuresList()),
    };
  }

  /** As the engine configures: `variables` as bitrix24:config:<name>, `args` with secrets wrapped. */
  async configure(variables: Record<string, string>, args: JsObject): Promise<JsObject> {
    const req = new provproto.ConfigureRequest();
    for (const [k, v] of Object.entries(variables)) req.getVariablesMap().set(k, v);
    req.setArgs(toStruct(args));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    const res = await this.rpc<InstanceType<typeof provproto.ConfigureResponse>>("configure", req);
    return res.toObject() as unknown as JsObject;
  }

  async check(type: string, news: JsObject): Promise<{ inputs: JsObject; failures: Failure[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn(type));
    req.setType(type);
    req.setOlds(toStruct({}));
    req.setNews(toStruct(news));
    const res = await this.rpc<InstanceType<typeof provproto.CheckResponse>>("check", req);
    return {
      inputs: this.keep(fromStruct(res.getInputs())),
      failures: failures(res.getFailuresList()),
    };
  }

  async diff(
    type: string,
    id: string,
    olds: JsObject,
    news: JsObject,
  ): Promise<{ changes: "some" | "none" | "unknown"; replaces: string[]; dbr: boolean }> {
    const req = new provproto.DiffRequest();
    req.setUrn(urn(type));
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.rpc<InstanceType<typeof provproto.DiffResponse>>("diff", req);
    const C = provproto.DiffResponse.DiffChanges;
    const c = res.getChanges();
    return {
      changes: c === C.DIFF_SOME ? "some" : c === C.DIFF_NONE ? "none" : "unknown",
      replaces: res.getReplacesList(),
      dbr: res.getDeletebeforereplace(),
    };
  }

  async create(
    type: string,
    inputs: JsObject,
    preview = false,
  ): Promise<{ id: string; outputs: JsObject }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn(type));
    req.setType(type);
    req.setProperties(toStruct(inputs));
    req.setPreview(preview);
    const res = await this.rpc<InstanceType<typeof provproto.CreateResponse>>("create", req);
    return { id: res.getId(), outputs: this.keep(fromStruct(res.getProperties())) };
  }

  async read(
    type: string,
    id: string,
    outputs: JsObject = {},
    inputs: JsObject = {},
  ): Promise<{ id: string; outputs: JsObject; inputs?: JsObject }> {
    const req = new provproto.ReadRequest();
    req.setUrn(urn(type));
    req.setId(id);
    req.setProperties(toStruct(outputs));
    req.setInputs(toStruct(inputs));
    const res = await this.rpc<InstanceType<typeof provproto.ReadResponse>>("read", req);
    return {
      id: res.getId(),
      outputs: this.keep(fromStruct(res.getProperties())),
      inputs: res.hasInputs() ? this.keep(fromStruct(res.getInputs())) : undefined,
    };
  }

  async update(
    type: string,
    id: string,
    olds: JsObject,
    news: JsObject,
    preview = false,
  ): Promise<JsObject> {
    const req = new provproto.UpdateRequest();
    req.setUrn(urn(type));
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setPreview(preview);
    const res = await this.rpc<InstanceType<typeof provproto.UpdateResponse>>("update", req);
    return this.keep(fromStruct(res.getProperties()));
  }

  async delete(type: string, id: string, outputs: JsObject): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(urn(type));
    req.setId(id);
    req.setProperties(toStruct(outputs));
    await this.rpc("delete", req);
  }

  async invoke(tok: string, args: JsObject): Promise<{ result: JsObject; failures: Failure[] }> {
    const req = new provproto.InvokeRequest();
    req.setTok(tok);
    req.setArgs(toStruct(args));
    const res = await this.rpc<InstanceType<typeof provproto.InvokeResponse>>("invoke", req);
    return {
      result: this.keep(fromStruct(res.getReturn())),
      failures: failures(res.getFailuresList()),
    };
  }

  private keep(o: JsObject): JsObject {
    this.answers.push(o);
    return o;
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    await exited;
  }
}

const urn = (type: string) => `urn:pulumi:dev::plugin-test::${type}::r`;

function failures(list: InstanceType<typeof provproto.CheckFailure>[]): Failure[] {
  return list.map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
}
