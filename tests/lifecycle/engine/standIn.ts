/**
 * ENGINE STAND-IN — test-only. Plays the Pulumi engine and the Node language host so the real
 * `@pulumi/pulumi/cmd/run` (the user's program) and `cmd/dynamic-provider` (our provider) run the
 * whole lifecycle on a machine without the Pulumi CLI: preview, up, refresh, destroy.
 *
 * What it reproduces: RegisterResource → Check → (Create | Diff → Update / replace / nothing);
 * resources no longer declared are deleted after a successful run, in reverse order; refresh reads
 * every resource (an empty id drops it); destroy deletes in reverse order; stack config (secret keys
 * too) reaches the program (PULUMI_CONFIG) and the provider (Configure); secrets are stripped before
 * provider calls, re-marked on outputs (secret inputs and additionalSecretOutputs), and encrypted in
 * the state file as a secrets provider would.
 *
 * What it does not do: protect, ignoreChanges, aliases, import, retainOnDelete, custom timeouts,
 * components' children URNs with parent types, non-dynamic providers (e.g. @pulumi/command's
 * plugin), resource references, parallelism limits of up/destroy (refresh keeps the CLI's
 * default of 4 × CPUs), and it keeps no checkpoint history.
 */
import * as fs from "fs";
import * as os from "os";
import { ChildProcess, spawn } from "child_process";
import type { ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import { ProviderProcess } from "./providerProcess";
import {
  JsObject,
  RUN_ENTRY,
  emptyproto,
  engineproto,
  enginerpc,
  fromStruct,
  grpc,
  resproto,
  resrpc,
  toStruct,
} from "./sdk";
import { StateCrypter, markSecrets, secretKeys, unwrap } from "./secrets";
import { inParallel } from "../../helpers/inParallel";

/** The CLI's default --parallel: 4 × the machine's CPUs. */
const ENGINE_PARALLEL = 4 * os.cpus().length;

/** The outcome of `fn` as Promise.allSettled reports it: never rejects. */
function settled<R>(fn: () => Promise<R>): Promise<PromiseSettledResult<R>> {
  return fn().then(
    (value) => ({ status: "fulfilled", value }),
    (reason: unknown) => ({ status: "rejected", reason }),
  );
}

export type StackConfig = Record<string, { value: string; secret?: boolean }>;

export interface ResourceState {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: JsObject;
  outputs: JsObject;
  dependencies: string[];
  secretOutputs: string[];
}

export interface StackState {
  resources: ResourceState[];
  outputs: JsObject;
}

export type StepOp =
  "create" | "update" | "same" | "replace" | "delete" | "refresh" | "refresh-delete";
export interface Step {
  op: StepOp;
  urn: string;
}

export interface RunResult {
  ok: boolean;
  steps: Step[];
  /** Provider RPCs in the order they were made. */
  calls: { op: string; urn: string }[];
  /** Error diagnostics (check failures, provider errors, program errors). */
  errors: string[];
  outputs: JsObject;
}

export interface StandInOptions {
  programDir: string;
  project: string;
  stack: string;
  stateFile: string;
  config?: StackConfig;
  /** Extra environment for the program and the provider process (e.g. BITRIX24_* variables). */
  env?: NodeJS.ProcessEnv;
  runTimeoutMs?: number;
}

type Respond<T> = sendUnaryData<T>;

export class EngineStandIn {
  /** What a user sees: program and provider output, and engine logs above debug level. */
  readonly logs: string[] = [];
  /**
   * Debug-level engine logs (shown by the CLI only with --debug / -v). The SDK writes whole
   * RegisterResource responses there, secret output values included: an upstream behaviour.
   */
  readonly debugLogs: string[] = [];
  private readonly crypter = new StateCrypter();
  private program?: ChildProcess;

  constructor(readonly opts: StandInOptions) {}

  /** `pulumi config set …`: the next operation runs with this stack config. */
  setConfig(config: StackConfig): void {
    this.opts.config = config;
  }

  // ---- state file ------------------------------------------------------------------------------
  private load(): StackState {
    if (!fs.existsSync(this.opts.stateFile)) return { resources: [], outputs: {} };
    const raw = JSON.parse(fs.readFileSync(this.opts.stateFile, "utf8")) as StackState;
    return {
      outputs: this.crypter.decrypt(raw.outputs),
      resources: raw.resources.map((r) => ({
        ...r,
        inputs: this.crypter.decrypt(r.inputs),
        outputs: this.crypter.decrypt(r.outputs),
      })),
    };
  }

  private save(s: StackState): void {
    const enc: StackState = {
      outputs: this.crypter.encrypt(s.outputs),
      resources: s.resources.map((r) => ({
        ...r,
        inputs: this.crypter.encrypt(r.inputs),
        outputs: this.crypter.encrypt(r.outputs),
      })),
    };
    fs.writeFileSync(this.opts.stateFile, JSON.stringify(enc, null, 2));
  }

  /** The state with secrets decrypted (still marked secret). */
  state(): StackState {
    return this.load();
  }

  private urn(type: string, name: string): string {
    return `urn:pulumi:${this.opts.stack}::${this.opts.project}::${type}::${name}`;
  }

  private log(line: string): void {
    this.logs.push(line);
  }

  private processEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...this.opts.env,
      PULUMI_NODEJS_PROJECT: this.opts.project,
      PULUMI_NODEJS_STACK: this.opts.stack,
    };
  }

  // ---- sessions: a gRPC server for Engine + ResourceMonitor, and the provider process ----------
  private async session<T>(
    body: (s: {
      engineAddr: string;
      provider: () => Promise<ProviderProcess>;
      /** Provider RPCs made so far (none when the provider was never needed). */
      calls: () => Promise<{ op: string; urn: string }[]>;
      errors: string[];
    }) => Promise<T>,
    monitor: (errors: string[]) => Record<string, unknown> = () => ({}),
  ): Promise<T> {
    const server = new grpc.Server();
    const errors: string[] = [];
    server.addService(enginerpc.EngineService, {
      log: (
        call: ServerUnaryCall<InstanceType<typeof engineproto.LogRequest>, unknown>,
        cb: Respond<unknown>,
      ) => {
        const r = call.request;
        const line = `[engine log ${r.getSeverity()}] ${r.getUrn()} ${r.getMessage()}`;
        if (r.getSeverity() === engineproto.LogSeverity.DEBUG) this.debugLogs.push(line);
        else this.log(line);
        if (r.getSeverity() === engineproto.LogSeverity.ERROR) errors.push(r.getMessage());
        cb(null, new emptyproto.Empty());
      },
      getRootResource: (_c: unknown, cb: Respond<unknown>) => {
        const res = new engineproto.GetRootResourceResponse();
        res.setUrn(this.urn("pulumi:pulumi:Stack", `${this.opts.project}-${this.opts.stack}`));
        cb(null, res);
      },
      setRootResource: (_c: unknown, cb: Respond<unknown>) =>
        cb(null, new engineproto.SetRootResourceResponse()),
    });
    server.addService(resrpc.ResourceMonitorService, {
      supportsFeature: (
        call: ServerUnaryCall<InstanceType<typeof resproto.SupportsFeatureRequest>, unknown>,
        cb: Respond<unknown>,
      ) => {
        const res = new resproto.SupportsFeatureResponse();
        res.setHassupport(call.request.getId() === "secrets");
        cb(null, res);
      },
      signalAndWaitForShutdown: (_c: unknown, cb: Respond<unknown>) =>
        cb(null, new emptyproto.Empty()),
      ...monitor(errors),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const engineAddr = `127.0.0.1:${port}`;
    let provider: Promise<ProviderProcess> | undefined;
    const getProvider = () =>
      (provider ??= ProviderProcess.start({
        cwd: this.opts.programDir,
        engineAddr,
        env: this.processEnv(),
        log: (l) => this.log(l),
      }).then(async (p) => {
        await p.configure(this.opts.config ?? {});
        return p;
      }));
    try {
      const calls = async () => (provider ? [...(await provider).calls] : []);
      return await body({ engineAddr, provider: getProvider, calls, errors });
    } finally {
      if (provider) await (await provider).stop();
      server.forceShutdown();
    }
  }

  // ---- preview / up -----------------------------------------------------------------------------
  preview(): Promise<RunResult> {
    return this.deploy(true);
  }

  up(): Promise<RunResult> {
    return this.deploy(false);
  }

  private async deploy(dryRun: boolean): Promise<RunResult> {
    const old = this.load();
    const done: ResourceState[] = [];
    const steps: Step[] = [];
    const replaced: ResourceState[] = [];
    let stackOutputs: JsObject = old.outputs;
    let providerRef: (() => Promise<ProviderProcess>) | undefined;

    const register = async (
      req: InstanceType<typeof resproto.RegisterResourceRequest>,
      errors: string[],
    ): Promise<{ urn: string; id: string; object: JsObject }> => {
      const type = req.getType();
      const name = req.getName();
      const urn = this.urn(type, name);
      if (type === "pulumi:pulumi:Stack" || !req.getCustom()) return { urn, id: "", object: {} };
      if (!type.startsWith("pulumi-nodejs:dynamic"))
        throw new Error(
          `engine stand-in: only dynamic-provider resources are supported, not ${type}`,
        );
      const raw = fromStruct(req.getObject());
      const secrets = [...new Set([...secretKeys(raw), ...req.getAdditionalsecretoutputsList()])];
      const news = unwrap(raw) as JsObject;
      const prior = old.resources.find((r) => r.urn === urn);
      const provider = await (providerRef as () => Promise<ProviderProcess>)();
      const checked = await provider.check(
        urn,
        prior ? (unwrap(prior.inputs) as JsObject) : {},
        news,
      );
      if (checked.failures.length) {
        const text = checked.failures.map(
          (f) =>
            `${type} resource '${name}': property ${f.property} value has a problem: ${f.reason}`,
        );
        errors.push(...text);
        throw new Error(text.join("\n"));
      }
      const inputs = checked.inputs;
      let id = prior?.id ?? "";
      let outputs: JsObject;
      let op: StepOp;
      if (!prior) {
        op = "create";
        if (dryRun) outputs = inputs;
        else ({ id, outputs } = await provider.create(urn, inputs));
      } else {
        const d = await provider.diff(
          urn,
          prior.id,
          unwrap(prior.outputs) as JsObject,
          inputs,
          unwrap(prior.inputs) as JsObject,
        );
        if (d.changes === "none") {
          op = "same";
          outputs = unwrap(prior.outputs) as JsObject;
        } else if (d.replaces.length) {
          op = "replace";
          if (dryRun) outputs = inputs;
          else {
            if (d.deleteBeforeReplace)
              await provider.delete(
                urn,
                prior.id,
                unwrap(prior.outputs) as JsObject,
                unwrap(prior.inputs) as JsObject,
              );
            else replaced.push(prior);
            ({ id, outputs } = await provider.create(urn, inputs));
          }
        } else {
          op = "update";
          outputs = dryRun
            ? { ...(unwrap(prior.outputs) as JsObject), ...inputs }
            : await provider.update(
                urn,
                prior.id,
                unwrap(prior.outputs) as JsObject,
                inputs,
                unwrap(prior.inputs) as JsObject,
              );
        }
      }
      steps.push({ op, urn });
      const secretOutputs = [...new Set([...secrets, ...(prior?.secretOutputs ?? [])])];
      const state: ResourceState = {
        urn,
        type,
        name,
        id,
        inputs: markSecrets(inputs, secrets),
        outputs: markSecrets(outputs, secretOutputs),
        dependencies: req.getDependenciesList(),
        secretOutputs,
      };
      done.push(state);
      return { urn, id, object: state.outputs };
    };

    return this.session(
      async ({ engineAddr, provider, errors, calls }) => {
        providerRef = provider;
        const exit = await this.runProgram(engineAddr, dryRun);
        const ok = exit === 0 && errors.length === 0;
        const registered = new Set(done.map((r) => r.urn));
        const gone = old.resources.filter((r) => !registered.has(r.urn));
        let kept: ResourceState[] = gone;
        if (ok) {
          for (const r of gone) steps.push({ op: "delete", urn: r.urn });
          if (!dryRun) {
            const del = async (r: ResourceState) =>
              (await provider()).delete(
                r.urn,
                r.id,
                unwrap(r.outputs) as JsObject,
                unwrap(r.inputs) as JsObject,
              );
            kept = await deleteInDependencyOrder(gone, del, errors);
            await deleteInDependencyOrder(replaced, del, errors);
          }
        }
        if (!dryRun) {
          // A failed run keeps what it did not touch, like the engine's partial update.
          this.save({ resources: [...kept, ...done], outputs: ok ? stackOutputs : old.outputs });
        }
        return {
          ok: ok && errors.length === 0,
          steps,
          calls: await calls(),
          errors,
          outputs: stackOutputs,
        };
      },
      (errors) => ({
        registerResource: (
          call: ServerUnaryCall<InstanceType<typeof resproto.RegisterResourceRequest>, unknown>,
          cb: Respond<unknown>,
        ) => {
          register(call.request, errors).then(
            ({ urn, id, object }) => {
              const res = new resproto.RegisterResourceResponse();
              res.setUrn(urn);
              res.setId(id);
              res.setObject(toStruct(object));
              cb(null, res);
            },
            (e: Error) => {
              if (!errors.includes(e.message)) errors.push(e.message);
              this.abandonFailedProgram();
              cb(
                { code: grpc.status.UNKNOWN, details: e.message, metadata: new grpc.Metadata() },
                null,
              );
            },
          );
        },
        registerResourceOutputs: (
          call: ServerUnaryCall<
            InstanceType<typeof resproto.RegisterResourceOutputsRequest>,
            unknown
          >,
          cb: Respond<unknown>,
        ) => {
          const raw = fromStruct(call.request.getOutputs());
          stackOutputs = markSecrets(unwrap(raw) as JsObject, secretKeys(raw));
          cb(null, new emptyproto.Empty());
        },
      }),
    );
  }

  /**
   * After a failed step the program only reports the error and exits. With @pulumi/pulumi 3.276 that
   * report can take ~40 s and GBs of memory: util.inspect(err, {colors: true}) loops in Node's
   * markNodeModules on the SDK's source-mapped frame paths (".../node_modules/@pulumi/resource.ts")
   * until "Invalid string length", then the SDK falls back to a plain inspect. The outcome is already
   * known here, so the stand-in stops waiting for that after a grace period.
   */
  private abandonFailedProgram(): void {
    const child = this.program;
    setTimeout(() => {
      if (child && child.exitCode === null) {
        this.log(
          "[stand-in] stopping the failed program (slow SDK error report, see abandonFailedProgram)",
        );
        child.kill("SIGKILL");
      }
    }, 3000).unref();
  }

  private runProgram(engineAddr: string, dryRun: boolean): Promise<number> {
    const config: Record<string, string> = {};
    const secretKeysList: string[] = [];
    for (const [k, v] of Object.entries(this.opts.config ?? {})) {
      config[k] = v.value;
      if (v.secret) secretKeysList.push(k);
    }
    const args = [
      RUN_ENTRY,
      `--monitor=${engineAddr}`,
      `--engine=${engineAddr}`,
      "--organization=organization",
      `--project=${this.opts.project}`,
      `--stack=${this.opts.stack}`,
      `--pwd=${this.opts.programDir}`,
      "--parallel=16",
      ...(dryRun ? ["--dry-run"] : []),
      ".",
    ];
    const child: ChildProcess = spawn(process.execPath, args, {
      cwd: this.opts.programDir,
      env: {
        ...this.processEnv(),
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeysList),
        PULUMI_NODEJS_TYPESCRIPT: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.program = child;
    child.stdout?.on("data", (d: Buffer) => this.log(`[program stdout] ${d.toString()}`));
    child.stderr?.on("data", (d: Buffer) => this.log(`[program stderr] ${d.toString()}`));
    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), this.opts.runTimeoutMs ?? 180_000);
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(code ?? 1);
      });
    });
  }

  // ---- refresh / destroy ------------------------------------------------------------------------
  async refresh(): Promise<RunResult> {
    const s = this.load();
    return this.session(async ({ provider, errors, calls }) => {
      // As the real CLI 3.276.0 does (seen in its PULUMI_DEBUG_GRPC log): at most --parallel
      // (default 4 × CPUs) reads in flight, and each Read is followed by a Diff of the read
      // outputs against the read inputs.
      const results = await inParallel(s.resources, ENGINE_PARALLEL, (r) =>
        settled(async () => {
          const p = await provider();
          const got = await p.read(
            r.urn,
            r.id,
            unwrap(r.outputs) as JsObject,
            unwrap(r.inputs) as JsObject,
          );
          if (got.id)
            await p.diff(
              r.urn,
              got.id,
              got.outputs,
              got.inputs ?? (unwrap(r.inputs) as JsObject),
              got.inputs ?? {},
            );
          return got;
        }),
      );
      const steps: Step[] = [];
      const kept: ResourceState[] = [];
      results.forEach((res, i) => {
        const r = s.resources[i];
        if (res.status === "rejected") {
          errors.push((res.reason as Error).message);
          kept.push(r);
          return;
        }
        const got = res.value;
        if (!got.id) {
          steps.push({ op: "refresh-delete", urn: r.urn });
          return;
        }
        const changed = JSON.stringify(got.outputs) !== JSON.stringify(unwrap(r.outputs));
        steps.push({ op: changed ? "refresh" : "same", urn: r.urn });
        const outputs = markSecrets(got.outputs, r.secretOutputs);
        const inputs = got.inputs
          ? markSecrets(
              got.inputs,
              r.secretOutputs.filter((k) => k in r.inputs),
            )
          : r.inputs;
        kept.push({ ...r, id: got.id, outputs, inputs });
      });
      if (errors.length)
        return { ok: false, steps, calls: await calls(), errors, outputs: s.outputs };
      this.save({ resources: kept, outputs: s.outputs });
      return { ok: true, steps, calls: await calls(), errors, outputs: s.outputs };
    });
  }

  async destroy(): Promise<RunResult> {
    const s = this.load();
    return this.session(async ({ provider, errors, calls }) => {
      const steps: Step[] = [];
      const left = await deleteInDependencyOrder(
        s.resources,
        async (r) => {
          await (
            await provider()
          ).delete(r.urn, r.id, unwrap(r.outputs) as JsObject, unwrap(r.inputs) as JsObject);
          steps.push({ op: "delete", urn: r.urn });
        },
        errors,
      );
      this.save({ resources: left, outputs: left.length ? s.outputs : {} });
      return { ok: errors.length === 0, steps, calls: await calls(), errors, outputs: {} };
    });
  }
}

/**
 * Deletes concurrently, each resource only after everything that depends on it is gone (the
 * engine's order); returns the resources that could not be deleted.
 */
async function deleteInDependencyOrder(
  resources: ResourceState[],
  del: (r: ResourceState) => Promise<void>,
  errors: string[],
): Promise<ResourceState[]> {
  const running = new Map<string, Promise<boolean>>();
  const failed = new Set<string>();
  const run = (r: ResourceState): Promise<boolean> => {
    let p = running.get(r.urn);
    if (!p) {
      p = (async () => {
        const dependents = resources.filter((d) => d.dependencies.includes(r.urn));
        const ready = (await Promise.all(dependents.map(run))).every(Boolean);
        try {
          if (!ready)
            throw new Error(
              `${r.urn} not deleted: a resource that depends on it could not be deleted`,
            );
          await del(r);
          return true;
        } catch (e) {
          if (ready) errors.push((e as Error).message);
          failed.add(r.urn);
          return false;
        }
      })();
      running.set(r.urn, p);
    }
    return p;
  };
  await Promise.all(resources.map(run));
  return resources.filter((r) => failed.has(r.urn));
}
