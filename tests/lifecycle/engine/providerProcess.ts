import { ChildProcess, spawn } from "child_process";
import type { Client } from "@grpc/grpc-js";
import {
  DYNAMIC_PROVIDER_ENTRY,
  JsObject,
  fromStruct,
  grpc,
  provproto,
  provrpc,
  toStruct,
} from "./sdk";
import { wrap } from "./secrets";

export interface DiffAnswer {
  changes: "some" | "none" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

type Unary = (req: unknown, cb: (err: Error | null, res: unknown) => void) => void;

/**
 * The real `@pulumi/pulumi/cmd/dynamic-provider` process, driven over gRPC as the engine drives it.
 * Every call is recorded so tests can assert exactly which operations an `up` performed.
 */
export class ProviderProcess {
  readonly calls: { op: string; urn: string }[] = [];
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: Client,
  ) {}

  static async start(opts: {
    cwd: string;
    engineAddr: string;
    env: NodeJS.ProcessEnv;
    log: (line: string) => void;
  }): Promise<ProviderProcess> {
    const child = spawn(process.execPath, [DYNAMIC_PROVIDER_ENTRY, opts.engineAddr], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr?.on("data", (d: Buffer) => opts.log(`[provider stderr] ${d.toString()}`));
    const port = await new Promise<string>((resolve, reject) => {
      let buf = "";
      const onData = (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf("\n");
        if (nl >= 0) {
          child.stdout?.off("data", onData);
          child.stdout?.on("data", (x: Buffer) => opts.log(`[provider stdout] ${x.toString()}`));
          resolve(buf.slice(0, nl).trim());
        }
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code) =>
        reject(new Error(`dynamic provider exited with ${code} before listening`)),
      );
    });
    const client = new provrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    return new ProviderProcess(child, client);
  }

  private rpc<T>(name: string, req: unknown): Promise<T> {
    const fn = (this.client as unknown as Record<string, Unary>)[name].bind(this.client);
    return new Promise<T>((resolve, reject) =>
      fn(req, (err, res) =>
        err ? reject(new Error(err.message.replace(/^\d+ [A-Z_]+: /, ""))) : resolve(res as T),
      ),
    );
  }

  /** Stack config goes to the provider the way the engine sends it: secret values wrapped. */
  async configure(config: Record<string, { value: string; secret?: boolean }>): Promise<void> {
    const args: JsObject = {};
    for (const [k, v] of Object.entries(config)) args[k] = v.secret ? wrap(v.value) : v.value;
    const req = new provproto.ConfigureRequest();
    req.setArgs(toStruct(args));
    await this.rpc("configure", req);
  }

  async check(
    urn: string,
    olds: JsObject,
    news: JsObject,
  ): Promise<{ inputs: JsObject; failures: { property: string; reason: string }[] }> {
    this.calls.push({ op: "check", urn });
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.rpc<InstanceType<typeof provproto.CheckResponse>>("check", req);
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res
        .getFailuresList()
        .map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    urn: string,
    id: string,
    olds: JsObject,
    news: JsObject,
    oldInputs: JsObject,
  ): Promise<DiffAnswer> {
    this.calls.push({ op: "diff", urn });
    const req = new provproto.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    const res = await this.rpc<InstanceType<typeof provproto.DiffResponse>>("diff", req);
    const C = provproto.DiffResponse.DiffChanges;
    return {
      changes:
        res.getChanges() === C.DIFF_SOME
          ? "some"
          : res.getChanges() === C.DIFF_NONE
            ? "none"
            : "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  async create(urn: string, inputs: JsObject): Promise<{ id: string; outputs: JsObject }> {
    this.calls.push({ op: "create", urn });
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(inputs));
    const res = await this.rpc<InstanceType<typeof provproto.CreateResponse>>("create", req);
    return { id: res.getId(), outputs: fromStruct(res.getProperties()) };
  }

  async read(
    urn: string,
    id: string,
    outputs: JsObject,
    inputs: JsObject,
  ): Promise<{ id: string; outputs: JsObject; inputs?: JsObject }> {
    this.calls.push({ op: "read", urn });
    const req = new provproto.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(toStruct(outputs));
    req.setInputs(toStruct(inputs));
    const res = await this.rpc<InstanceType<typeof provproto.ReadResponse>>("read", req);
    return {
      id: res.getId(),
      outputs: fromStruct(res.getProperties()),
      inputs: res.hasInputs() ? fromStruct(res.getInputs()) : undefined,
    };
  }

  async update(
    urn: string,
    id: string,
    olds: JsObject,
    news: JsObject,
    oldInputs: JsObject,
  ): Promise<JsObject> {
    this.calls.push({ op: "update", urn });
    const req = new provproto.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    const res = await this.rpc<InstanceType<typeof provproto.UpdateResponse>>("update", req);
    return fromStruct(res.getProperties());
  }

  async delete(urn: string, id: string, outputs: JsObject, inputs: JsObject): Promise<void> {
    this.calls.push({ op: "delete", urn });
    const req = new provproto.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(toStruct(outputs));
    req.setOldInputs(toStruct(inputs));
    await this.rpc("delete", req);
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    await exited;
  }
}
