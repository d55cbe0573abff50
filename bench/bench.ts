/**
 * `npm run bench [-- --n 200 --latency 50]`: N connectors created, refreshed, updated and deleted
 * through the provider against the emulator at Bitrix24's default limit (2 requests/s, burst 50)
 * with engine-like concurrency (everything at once: the CLI's default parallelism is unbounded;
 * refresh also at parallelism 16 and 1), next to release 0.1's way of calling (per-call writes,
 * get per read, the whole burst) and a naive client, in the same run. Then a full pipeline
 * (connectors → sources → tables) and the provider's own time per operation. Per phase: HTTP
 * requests, the peak share of the portal's bucket used (measured by the emulator), 503s met, wall
 * time. Prints figures; it does not pass or fail (this machine is shared: compare, don't time).
 */
import axios from "axios";
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import { parseArgs } from "util";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { Bitrix24Client, ClientTuning } from "../provider/core/client/client";
import { SettingKey, layeredSource, resolveSettings } from "../provider/core/client/settings";
import { createClient } from "../provider/core/client/processWide";
import { Transport, axiosTransport } from "../provider/core/client/transport/transport";
import { ConnectorProvider } from "../provider/core/lifecycle/connectorProvider";
import { DatasetProvider } from "../provider/core/lifecycle/datasetProvider";
import { ObjectProvider } from "../provider/core/lifecycle/objectProvider";
import { SourceProvider } from "../provider/core/lifecycle/sourceProvider";
import { JsonObject } from "../provider/core/schema/spec";
import { CliRow, TimedRun, cliRun, engineTimes, nodeSdk } from "./cliBench";
import { median, pluginStartRun } from "./pluginStart";
import { buildPlan } from "../provider/cli/adopt/plan";
import { readPortal } from "../provider/cli/adopt/readPortal";
import { typescriptProject } from "../provider/cli/adopt/writeTypescript";

const RPS = 2;
const BURST = 50;
const SHARE = "0.5";

interface Row {
  phase: string;
  ops: number;
  failed: number;
  requests: number;
  peak: number;
  rateLimited: number;
  seconds: number;
}

/** The client profiles compared in one run. */
const PROFILES: Record<string, { tuning?: ClientTuning; share: string }> = {
  provider: { share: SHARE },
  // Release 0.1: adds and updates one call each, a `get` per read, a 20 ms window, the whole burst.
  "release 0.1": {
    tuning: { windowMs: 20, batchWrites: false, pageReads: false },
    share: "1",
  },
};

/** A resource's URN as the engine gives it, for the record of its create. */
const benchUrn = (i: number) => `urn:pulumi:bench::bench::bitrix24:index:Connector::c${i}`;

function connector(i: number, description = ""): JsonObject {
  return {
    title: `Bench connector ${i}`,
    logo: "https://connector.example.com/logo.svg",
    description,
    urlCheck: "https://connector.example.com/check",
    urlTableList: "https://connector.example.com/table_list",
    urlTableDescription: "https://connector.example.com/table_description",
    urlData: "https://connector.example.com/data",
    settings: [{ name: "Login", code: "login", type: "STRING" }],
  };
}

/** Runs the operations with at most `parallel` in flight, as the engine does (0 = unbounded). */
async function engine<T>(
  ops: (() => Promise<T>)[],
  parallel = 0,
): Promise<PromiseSettledResult<T>[]> {
  if (!parallel) return Promise.allSettled(ops.map((op) => op()));
  const out: PromiseSettledResult<T>[] = new Array(ops.length);
  let next = 0;
  const worker = async () => {
    while (next < ops.length) {
      const k = next++;
      out[k] = await ops[k]().then(
        (value) => ({ status: "fulfilled", value }) as const,
        (reason: unknown) => ({ status: "rejected", reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, ops.length) }, worker));
  return out;
}

/** Waits (bounded) until the portal's bucket is empty again, so each phase starts alike. */
async function drained(emu: Emulator): Promise<void> {
  for (let i = 0; i < 200 && (emu.bucket?.used() ?? 0) > 0.5; i++)
    await new Promise((r) => setTimeout(r, 250));
  emu.bucket?.resetPeak();
}

async function phase<T>(
  emu: Emulator,
  rows: Row[],
  name: string,
  ops: (() => Promise<T>)[],
  parallel = 0,
): Promise<T[]> {
  await drained(emu);
  const before = emu.calls.length;
  const t0 = Date.now();
  const settled = await engine(ops, parallel);
  const calls = emu.calls.slice(before);
  rows.push({
    phase: name,
    ops: ops.length,
    failed: settled.filter((s) => s.status === "rejected").length,
    requests: calls.length,
    peak: emu.bucket?.peakShare() ?? 0,
    rateLimited: calls.filter((c) => c.status === 503).length,
    seconds: (Date.now() - t0) / 1000,
  });
  const failure = settled.find((s) => s.status === "rejected");
  if (failure) {
    const reason: unknown = (failure as PromiseRejectedResult).reason;
    console.log(
      `  (${name}: first failure: ${reason instanceof Error ? reason.message : String(reason)})`,
    );
  }
  return settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
}

/** A client as a new `pulumi` process builds it (each command is a process of its own). */
function clientFor(
  emu: Emulator,
  profile: string,
  extra: Partial<Record<SettingKey, string>> = {},
  transport?: Transport,
): Bitrix24Client {
  const store = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "b24-bench-")), "tokens.json");
  const { tuning, share } = PROFILES[profile];
  const values: Partial<Record<SettingKey, string>> = {
    ...emu.providerSettings(store),
    rateLimitShare: share,
    ...extra,
  };
  return createClient(resolveSettings(layeredSource((k) => values[k], {})), {
    isolated: true,
    tuning,
    transport,
  });
}

async function connectorRun(profile: string, n: number, latencyMs: number): Promise<Row[]> {
  const emu = await startEmulator({ rateLimit: { rps: RPS, burst: BURST }, latencyMs });
  const rows: Row[] = [];
  const fresh = () => {
    const client = clientFor(emu, profile);
    return new ConnectorProvider(() => client);
  };
  let p = fresh();
  const created = await phase(
    emu,
    rows,
    "create",
    Array.from({ length: n }, (_, i) => async () => {
      const { inputs } = await p.check({}, connector(i));
      // As the hosts create: with the resource's URN, so each create is recorded (journal/).
      const r = await p.create(inputs as JsonObject, benchUrn(i));
      return { id: r.id, outs: r.outs as JsonObject, i };
    }),
  );
  for (const parallel of [0, 16, 1]) {
    p = fresh();
    await phase(
      emu,
      rows,
      `refresh p${parallel || "∞"}`,
      created.map((c) => () => p.read(c.id, c.outs)),
      parallel,
    );
  }
  p = fresh();
  const updated = await phase(
    emu,
    rows,
    "update",
    created.map((c) => async () => {
      const { inputs } = await p.check(c.outs, connector(c.i, "v2"));
      const r = await p.update(c.id, c.outs, inputs as JsonObject);
      return { ...c, outs: r.outs as JsonObject };
    }),
  );
  p = fresh();
  await phase(
    emu,
    rows,
    "40 updates in a row",
    updated.slice(0, 40).map((c) => async () => {
      const { inputs } = await p.check(c.outs, connector(c.i, "v3"));
      await p.update(c.id, c.outs, inputs as JsonObject);
    }),
    1,
  );
  p = fresh();
  await phase(
    emu,
    rows,
    "delete",
    created.map((c) => () => p.delete(c.id, c.outs)),
  );
  await emu.close();
  return rows;
}

/**
 * The engine-like runner of our tests (the stand-in's way: every operation handed to the provider
 * at once, at most `parallel` in flight) on the phases the CLI bench runs, for the side-by-side.
 */
async function engineLikeRun(n: number, latencyMs: number, parallel: number): Promise<Row[]> {
  const emu = await startEmulator({ rateLimit: { rps: RPS, burst: BURST }, latencyMs });
  const rows: Row[] = [];
  const fresh = () => {
    const client = clientFor(emu, "provider");
    return new ConnectorProvider(() => client);
  };
  const write = async (
    p: ConnectorProvider,
    olds: JsonObject | undefined,
    i: number,
    title: string,
  ) => {
    const { inputs } = await p.check(olds ?? {}, { ...connector(i), title });
    return inputs as JsonObject;
  };
  let p = fresh();
  const created = await phase(
    emu,
    rows,
    "up",
    Array.from({ length: n }, (_, i) => async () => {
      const r = await p.create(await write(p, undefined, i, `Bench connector ${i}`));
      return { id: r.id, outs: r.outs as JsonObject, i };
    }),
    parallel,
  );
  p = fresh();
  await phase(
    emu,
    rows,
    "refresh",
    created.map((c) => () => p.read(c.id, c.outs)),
    parallel,
  );
  p = fresh();
  await phase(
    emu,
    rows,
    "change every title",
    created.map((c) => async () => {
      await p.update(c.id, c.outs, await write(p, c.outs, c.i, `Bench connector ${c.i} v2`));
    }),
    parallel,
  );
  p = fresh();
  await phase(
    emu,
    rows,
    "destroy",
    created.map((c) => () => p.delete(c.id, c.outs)),
    parallel,
  );
  await emu.close();
  return rows;
}

/** One unthrottled HTTP call per operation; on failure the same call again after 1 s, 3 times. */
async function naiveRun(n: number, latencyMs: number): Promise<Row[]> {
  const emu = await startEmulator({ rateLimit: { rps: RPS, burst: BURST }, latencyMs });
  const call = async (method: string, params: JsonObject): Promise<JsonObject> => {
    for (let attempt = 0; ; attempt++) {
      const res = await axios.post(
        `${emu.portalUrl}rest/${method}`,
        { ...params, auth: emu.tokens.accessToken },
        { validateStatus: () => true },
      );
      const body = res.data as JsonObject;
      if (res.status === 200 && !(body.result as JsonObject)?.error) return body;
      if (attempt >= 3) throw new Error(`${method}: HTTP ${res.status}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const rows: Row[] = [];
  const ids = await phase(
    emu,
    rows,
    "create",
    Array.from({ length: n }, (_, i) => async () => {
      const r = await call("biconnector.connector.add", { fields: connector(i) });
      return Number((r.result as JsonObject).id);
    }),
  );
  await phase(
    emu,
    rows,
    "refresh p∞",
    ids.map((id) => () => call("biconnector.connector.get", { id })),
  );
  await phase(
    emu,
    rows,
    "update",
    ids.map((id) => () => call("biconnector.connector.update", { id, fields: { sort: 200 } })),
  );
  await phase(
    emu,
    rows,
    "40 updates in a row",
    ids
      .slice(0, 40)
      .map((id) => () => call("biconnector.connector.update", { id, fields: { sort: 300 } })),
    1,
  );
  await phase(
    emu,
    rows,
    "delete",
    ids.map((id) => () => call("biconnector.connector.delete", { id })),
  );
  await emu.close();
  return rows;
}

/** 5 connectors, 4 sources each, 5 tables of 10 columns per source (every third has 2 hidden). */
type Providers = Record<"c" | "s" | "t", ObjectProvider>;
type Made = { id: string; outs: JsonObject };

/** Connectors on the sample endpoint, sources of them, tables of those (a third with hidden columns). */
async function createPipeline(
  emu: Emulator,
  rows: Row[],
  p: Providers,
  n: { connectors: number; sources: number; tables: number; columns: number },
): Promise<{ connectors: Made[]; sources: Made[]; tables: Made[] }> {
  const base = emu.sampleConnectorUrl;
  const creds = emu.sampleConnectorCredentials;
  const make = async (prov: ObjectProvider, news: JsonObject) => {
    const { inputs, failures } = await prov.check({}, news);
    if (failures?.length) throw new Error(JSON.stringify(failures));
    const r = await prov.create(inputs as JsonObject);
    return { id: r.id, outs: r.outs as JsonObject };
  };
  const connectors = await phase(
    emu,
    rows,
    `create ${n.connectors} connectors`,
    Array.from(
      { length: n.connectors },
      (_, i) => () =>
        make(p.c, {
          ...connector(i),
          title: `Pipeline connector ${i}`,
          urlCheck: `${base}/check`,
          urlTableList: `${base}/table_list`,
          urlTableDescription: `${base}/table_description`,
          urlData: `${base}/data`,
          settings: [
            { name: "Login", code: "login", type: "STRING" },
            { name: "Password", code: "password", type: "STRING" },
          ],
        }),
    ),
  );
  const sources = await phase(
    emu,
    rows,
    `create ${n.sources} sources`,
    Array.from(
      { length: n.sources },
      (_, i) => () =>
        make(p.s, {
          connectorId: Number(connectors[i % connectors.length].id),
          title: `Pipeline source ${i}`,
          settings: { login: creds.login, password: creds.password },
        }),
    ),
  );
  const tables = await phase(
    emu,
    rows,
    `create ${n.tables} tables`,
    Array.from(
      { length: n.tables },
      (_, i) => () =>
        make(p.t, {
          sourceId: Number(sources[i % sources.length].id),
          name: `pipeline_table_${i}`,
          externalCode: `table_${i}`,
          externalName: `Table ${i}`,
          fields: Array.from({ length: n.columns }, (_, k) => ({
            name: `COL_${k}`,
            type: "string",
            externalCode: `col_${k}`,
            ...(i % 3 === 0 && k >= n.columns - 2 ? { visible: false } : {}),
          })),
        }),
    ),
  );
  return { connectors, sources, tables };
}

async function pipelineRun(profile: string, latencyMs: number): Promise<Row[]> {
  const emu = await startEmulator({
    rateLimit: { rps: RPS, burst: BURST },
    latencyMs,
    allowPrivateEndpoints: true,
  });
  const rows: Row[] = [];
  // The sample connector listens on loopback: a private endpoint, allowed for it explicitly.
  const local = { allowPrivateEndpoints: "true" };
  const providers = () => {
    const client = clientFor(emu, profile, local);
    return {
      c: new ConnectorProvider(() => client),
      s: new SourceProvider(() => client),
      t: new DatasetProvider(() => client),
    };
  };
  let p = providers();
  const { connectors, sources, tables } = await createPipeline(emu, rows, p, {
    connectors: 5,
    sources: 20,
    tables: 100,
    columns: 10,
  });
  type Kind = "c" | "s" | "t";
  const all: [Kind, { id: string; outs: JsonObject }][] = [
    ...connectors.map((r) => ["c", r] as [Kind, typeof r]),
    ...sources.map((r) => ["s", r] as [Kind, typeof r]),
    ...tables.map((r) => ["t", r] as [Kind, typeof r]),
  ];
  for (const parallel of [0, 16]) {
    const fresh = providers();
    await phase(
      emu,
      rows,
      `refresh 125 p${parallel || "∞"}`,
      all.map(
        ([kind, r]) =>
          () =>
            fresh[kind].read(r.id, r.outs),
      ),
      parallel,
    );
  }
  p = providers();
  await phase(
    emu,
    rows,
    "delete 100 tables",
    tables.map((r) => () => p.t.delete(r.id, r.outs)),
  );
  await phase(
    emu,
    rows,
    "delete 20 sources",
    sources.map((r) => () => p.s.delete(r.id, r.outs)),
  );
  await phase(
    emu,
    rows,
    "delete 5 connectors",
    connectors.map((r) => () => p.c.delete(r.id, r.outs)),
  );
  await emu.close();
  return rows;
}

/**
 * `adopt` (issue 34): 200 objects (10 connectors, 40 sources, 150 tables of 3 columns) read and
 * turned into a program at the portal's limits, by a client of its own as the command builds one.
 */
async function adoptRun(latencyMs: number): Promise<Row[]> {
  const emu = await startEmulator({
    rateLimit: { rps: RPS, burst: BURST },
    latencyMs,
    allowPrivateEndpoints: true,
  });
  const rows: Row[] = [];
  const client = clientFor(emu, "provider", { allowPrivateEndpoints: "true" });
  const p = {
    c: new ConnectorProvider(() => client),
    s: new SourceProvider(() => client),
    t: new DatasetProvider(() => client),
  };
  await createPipeline(emu, rows, p, { connectors: 10, sources: 40, tables: 150, columns: 3 });
  await phase(emu, rows, "adopt 200 objects", [
    async () =>
      typescriptProject(
        buildPlan(await readPortal(clientFor(emu, "provider"), undefined, () => {})),
        "bench",
      ),
  ]);
  await emu.close();
  return rows;
}

/** A transport that adds up the time spent in HTTP, so the provider's own time is what is left. */
function timed(inner: Transport): Transport & { ms: number } {
  const t = Object.assign(
    async (req: Parameters<Transport>[0]) => {
      const t0 = performance.now();
      try {
        return await inner(req);
      } finally {
        t.ms += performance.now() - t0;
      }
    },
    { ms: 0 },
  );
  return t;
}

/** Provider time per operation on top of its HTTP calls: lone operations, instant local portal. */
async function providerTime(k: number): Promise<string[]> {
  const emu = await startEmulator({ rateLimit: false });
  const transport = timed(axiosTransport());
  const unlimited = { rateLimitRps: "100000", rateLimitBurst: "100000", rateLimitShare: "1" };
  const client = clientFor(emu, "provider", unlimited, transport);
  const p = new ConnectorProvider(() => client);
  const lines: string[] = [];
  // Each operation's own time (its wall time less its HTTP time): the median is the steady
  // state; the mean also carries the first operation of a kind, which pays loading and
  // compiling the code it runs first (tens of ms for the first check and the first create).
  const measure = async <T>(name: string, run: (i: number) => Promise<T>): Promise<T[]> => {
    const out: T[] = [];
    const own: number[] = [];
    const http0 = transport.ms;
    const calls0 = emu.calls.length;
    for (let i = 0; i < k; i++) {
      const [t0, h0] = [performance.now(), transport.ms];
      out.push(await run(i));
      own.push(performance.now() - t0 - (transport.ms - h0));
    }
    const mean = own.reduce((a, b) => a + b, 0) / k;
    const http = transport.ms - http0;
    lines.push(
      `${name.padEnd(21)} ${median(own).toFixed(2).padStart(6)} ms provider (mean ${mean.toFixed(2).padStart(5)}, first ${own[0].toFixed(1).padStart(5)}) + ${(http / k).toFixed(2).padStart(6)} ms HTTP per operation (${((emu.calls.length - calls0) / k).toFixed(2)} requests)`,
    );
    return out;
  };
  const checked = await measure("check", (i) => p.check({}, connector(i)));
  await measure("create without record", (i) =>
    p.create({ ...(checked[i].inputs as JsonObject), title: `unrecorded ${i}` }),
  );
  // As the hosts create: with the resource's URN, recorded in the token store before the add.
  const created = await measure("create", async (i) => {
    const r = await p.create(checked[i].inputs as JsonObject, benchUrn(i));
    return { id: r.id, outs: r.outs as JsonObject, i };
  });
  // Reads one after another (parallelism 1): the first list page serves the next ones.
  await measure("read", (i) => p.read(created[i].id, created[i].outs));
  const changed = await Promise.all(created.map((c) => p.check(c.outs, connector(c.i, "v2"))));
  await measure("update", async (i) => {
    const c = created[i];
    await p.update(c.id, c.outs, changed[i].inputs as JsonObject);
  });
  await measure("delete", (i) => p.delete(created[i].id, created[i].outs));
  await emu.close();
  return lines;
}

function print(label: string, rows: Row[]): void {
  console.log(`\n${label}`);
  console.log("phase                    ops  failed  requests  peak bucket  503s   wall s");
  for (const r of rows)
    console.log(
      `${r.phase.padEnd(22)} ${String(r.ops).padStart(5)} ${String(r.failed).padStart(7)} ${String(r.requests).padStart(9)} ${`${Math.round(r.peak * 100)}%`.padStart(12)} ${String(r.rateLimited).padStart(5)} ${r.seconds.toFixed(1).padStart(8)}`,
    );
}

/** The smallest and the largest of `xs`, as "min-max". */
const rangeOf = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;

/** Each phase's limits ÷ instant over several pairs of runs: the median, the range, the requests. */
function printRatios(pairs: [CliRow[], CliRow[]][]): void {
  if (pairs.length < 2) return;
  console.log(`limits ÷ instant over ${pairs.length} pairs of runs: median (range), most requests`);
  for (const [i, row] of pairs[0][0].entries()) {
    const ratios = pairs.map(([c, f]) => c[i].seconds / f[i].seconds);
    const requests = Math.max(...pairs.map(([c]) => c[i].requests));
    console.log(
      `  ${row.phase.padEnd(20)} ${median(ratios).toFixed(2)}× (${rangeOf(ratios)}), ${requests} requests`,
    );
  }
}

/** The engine-like runner (if run) and the real CLI, a phase a line. */
function printSideBySide(
  title: string,
  engineLike: Row[] | undefined,
  cli: CliRow[],
  instant: CliRow[],
): void {
  console.log(`\n${title}`);
  console.log(
    "                       engine-like    real CLI at the portal's limits    instant   limits/",
  );
  console.log(
    "phase                     requests    requests  peak  503s  wall s  ok    wall s   instant",
  );
  const pct = (x: number) => `${Math.round(x * 100)}%`.padStart(5);
  for (const [i, c] of cli.entries()) {
    const e = engineLike?.[i];
    const f = instant[i];
    console.log(
      `${c.phase.padEnd(22)} ${e ? String(e.requests).padStart(11) : "-".padStart(11)}${e?.failed ? "!" : " "}` +
        (c
          ? `${String(c.requests).padStart(11)} ${pct(c.peak)} ${String(c.rateLimited).padStart(5)} ${c.seconds.toFixed(1).padStart(7)}  ${c.ok ? "yes" : "NO "}`
          : "(not run)") +
        (c && f
          ? `${f.seconds.toFixed(1).padStart(10)} ${(c.seconds / f.seconds).toFixed(2).padStart(8)}×${f.ok ? "" : " (instant run failed)"}`
          : ""),
    );
  }
  console.log(
    `peak memory at the limits (MB), engine / provider: ${cli.map((c) => `${c.phase} ${c.rssMb.engine.toFixed(0)} / ${c.rssMb.provider.toFixed(0)}`).join("; ")}`,
  );
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const state = cli[0]?.state;
  if (state)
    console.log(
      `state after up: ${kb(state.perResource)} per resource${state.provider ? `, of which __provider ${state.provider} bytes (twice: inputs and outputs)` : ""}`,
    );
  const peak = Math.max(...cli.map((c) => c.peak));
  console.log(`the portal's bucket, all four commands back to back: peak ${pct(peak).trim()}`);
}

/**
 * Where the wall time per resource goes under the real engine: up and destroy of N and of 1
 * connectors against an instant, unlimited portal that the provider knows to be unlimited (what
 * remains is engine, program and provider),
 * on the dynamic provider and on the native plugin; the same N at the portal's limits adds the
 * portal's share. Per resource = (time for N − time for 1) / (N − 1).
 */
async function printBreakdown(n: number, parallel: number, runs: number): Promise<void> {
  const instant = await startEmulator({ rateLimit: false, latencyMs: 0 });
  const limited = await startEmulator({ rateLimit: { rps: RPS, burst: BURST }, latencyMs: 50 });
  try {
    // The instant portal is told a limit no run reaches, so the provider does not pace itself.
    const none = { rps: 10_000, burst: 10_000 };
    const sdk = await nodeSdk();
    // BENCH_RUNS=5: 1 and N connectors that many times each (a run's 1-connector walls move by
    // ±0.3 s here, its per-resource cost by ±3 ms); the table from the first run, the costs per
    // resource and their ratios from the median walls.
    const ones: Record<string, TimedRun>[] = [];
    const manys: Record<string, TimedRun>[] = [];
    for (let i = 0; i < runs; i++) {
      ones.push(await engineTimes(instant, 1, parallel, none, sdk));
      manys.push(await engineTimes(instant, n, parallel, none, sdk));
    }
    const [one, many] = [ones[0], manys[0]];
    const atLimits = await engineTimes(limited, n, parallel, { rps: RPS, burst: BURST }, sdk);
    const lone = await providerTime(30);
    console.log(
      `\nwhere the time goes, --parallel ${parallel}: ${n} connectors vs 1, instant unlimited portal, then the portal at its limits (2 req/s, burst 50, 50 ms)`,
    );
    console.log(
      "command                 1: wall s  N: wall s  first req s  after last s  per resource ms  at limits: wall s  requests",
    );
    for (const key of Object.keys(many)) {
      const a = one[key];
      const b = many[key];
      const c = atLimits[key];
      const per = ((b.seconds - a.seconds) / Math.max(1, n - 1)) * 1000;
      console.log(
        `${key.padEnd(22)} ${a.seconds.toFixed(2).padStart(10)} ${b.seconds.toFixed(2).padStart(10)} ${b.firstRequest.toFixed(2).padStart(12)} ${b.afterLast.toFixed(2).padStart(13)} ${per.toFixed(1).padStart(16)} ${c.seconds.toFixed(2).padStart(18)} ${String(c.requests).padStart(9)}${a.ok && b.ok && c.ok ? "" : "  (a run failed)"}`,
      );
    }
    // Per resource, from the median walls of the runs (each wall's noise is its own; a ratio of
    // one run's differences compounds four of them): (median N wall − median 1 wall) / (N − 1).
    const walls = (runsOf: Record<string, TimedRun>[], key: string) =>
      median(runsOf.map((r) => r[key].seconds));
    const perResource = (key: string) =>
      (walls(manys, key) - walls(ones, key)) / Math.max(1, n - 1);
    const perRun = (key: string) =>
      manys.map((m, run) => (m[key].seconds - ones[run][key].seconds) / Math.max(1, n - 1));
    const ratio = (dynamic: string, command: string, native: string) => {
      const value = perResource(`${dynamic} ${command}`) / perResource(`${native} ${command}`);
      const a = perRun(`${dynamic} ${command}`);
      const b = perRun(`${native} ${command}`);
      const each = a.map((x, run) => x / b[run]);
      return `${value.toFixed(2)} ×${runs < 2 ? "" : ` (each run alone: ${rangeOf(each)})`}`;
    };
    if (runs > 1)
      console.log(
        `per resource ms from the median walls of ${runs} runs: ${Object.keys(many)
          .map((key) => `${key} ${(perResource(key) * 1000).toFixed(1)}`)
          .join("; ")}`,
      );
    // The same Node program on either provider; YAML shows what a program language adds; the
    // connectors in a file, what the engine's copy of the stack config in the dynamic provider's
    // state costs (it rewrites the state after every step).
    for (const command of ["up", "destroy"])
      console.log(
        `${command}: the dynamic provider's cost per resource ${ratio("dynamic", command, "native (Node)")} the native plugin's from the same Node program (goal ≤ 1.3), ${ratio("dynamic", command, "native (YAML)")} from YAML; with the connectors in a file, not in stack config: ${ratio("dynamic (file)", command, "native (Node)")}`,
      );
    console.log(
      "the provider's own time per lone operation (in process, instant portal; median of 30; goal ≤ 5 ms):",
    );
    for (const line of lone) console.log(`  ${line}`);
  } finally {
    await instant.close();
    await limited.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: "string", default: process.env.BENCH_N ?? "200" },
      latency: { type: "string", default: process.env.BENCH_LATENCY_MS ?? "50" },
      /**
       * Run one part only: connectors, pipeline, adopt, time or plugin-start; with --cli: engines
       * or breakdown.
       */
      only: { type: "string" },
      /** Under the real Pulumi CLI instead (see cliBench.ts). */
      cli: { type: "boolean", default: false },
    },
  });
  if (values.cli) {
    const n = Number(process.env.BENCH_N ?? 100);
    const latency = Number(values.latency);
    const cpus = os.cpus().length;
    console.log(
      `${n} connectors under the real Pulumi CLI (inline program); portal limit ${RPS} req/s, burst ${BURST}; ${latency} ms latency`,
    );
    // BENCH_PARALLEL=64: only that --parallel (a large N at one setting takes minutes per phase).
    const settings = process.env.BENCH_PARALLEL
      ? process.env.BENCH_PARALLEL.split(",").map(Number)
      : [4 * cpus, 64];
    // BENCH_PROVIDERS=dynamic: the dynamic provider's table only (the native plugin's doubles the time).
    const providers = (process.env.BENCH_PROVIDERS ?? "dynamic,native").split(",");
    const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
    const sdk =
      values.only !== "breakdown" && providers.includes("native") ? await nodeSdk() : undefined;
    for (const parallel of values.only === "breakdown" ? [] : settings) {
      const floor = Math.ceil(n / Math.min(50, parallel));
      const goals = `goals: up, change and destroy ≤ ${floor + 3}, refresh ≤ ${Math.ceil(n / 50) + 1} requests; peak ≤ 50%; wall ≤ 1.5 × instant`;
      const title = `--parallel ${parallel}${parallel === 4 * cpus ? " (the CLI's default, 4 × CPUs)" : ""}`;
      // BENCH_RUNS=3: the limits and the instant run that many times each (alternately), the
      // table from the first pair, then each phase's ratio as the median of the pairs: the
      // instant runs vary by ±30 % here, so one pair's ratio moves by up to ~0.4.
      const pairs = async (native?: { sdk: string }) => {
        const all: [CliRow[], CliRow[]][] = [];
        for (let i = 0; i < runs; i++)
          all.push([
            await cliRun(n, latency, parallel, "limits", native),
            await cliRun(n, latency, parallel, "instant", native),
          ]);
        return all;
      };
      if (providers.includes("dynamic")) {
        const engineLike = await engineLikeRun(n, latency, parallel);
        const all = await pairs();
        printSideBySide(`${title}, the dynamic provider; ${goals}`, engineLike, ...all[0]);
        printRatios(all);
      }
      if (sdk) {
        const all = await pairs({ sdk });
        const what = "the native plugin (the same Node program on the generated SDK)";
        printSideBySide(`${title}, ${what}; ${goals}`, undefined, ...all[0]);
        printRatios(all);
      }
    }
    if (values.only !== "engines") await printBreakdown(n, 4 * cpus, runs);
    return;
  }
  const n = Number(values.n);
  const latency = Number(values.latency);
  console.log(
    `${n} connectors; portal limit ${RPS} req/s, burst ${BURST}; ${latency} ms latency; ` +
      `create/update/delete all at once (the CLI's default), refresh at parallelism ∞, 16 and 1; ` +
      `bitrix24:rateLimitShare ${SHARE}`,
  );
  console.log(
    `goals: create, update, delete ≤ ⌈N/50⌉+3 = ${Math.ceil(n / 50) + 3} requests and ≤ 10 s; ` +
      `refresh ≤ ⌈N/50⌉+1 = ${Math.ceil(n / 50) + 1} at ∞ and 16; peak bucket ≤ 50%; 0 failed`,
  );
  const only = values.only;
  if (!only || only === "connectors") {
    print("provider:", await connectorRun("provider", n, latency));
    print(
      "release 0.1 (per-call writes, get per read, 20 ms window, whole burst):",
      await connectorRun("release 0.1", n, latency),
    );
    print("naive client (unthrottled, plain retry ×3 after 1 s):", await naiveRun(n, latency));
  }
  if (!only || only === "pipeline") {
    print(
      "full pipeline, provider (5 connectors, 20 sources, 100 tables × 10 columns, 34 with hidden columns):",
      await pipelineRun("provider", latency),
    );
    print("full pipeline, release 0.1:", await pipelineRun("release 0.1", latency));
  }
  if (!only || only === "adopt")
    print(
      `adopt: 200 objects at the portal's limits; goal ≤ ⌈200/50⌉+5 = 9 requests for the read:`,
      await adoptRun(latency),
    );
  if (!only || only === "time") {
    console.log(
      "\nprovider time per lone operation (instant local portal, median of 30; goal ≤ 5 ms):",
    );
    for (const line of await providerTime(30)) console.log(`  ${line}`);
  }
  if (!only || only === "plugin-start") {
    console.log(
      "\nthe native plugin's start, spawn to port line and to its first Configure (median of 10):",
    );
    for (const line of await pluginStartRun(10)) console.log(`  ${line}`);
  }
}

/**
 * Everything the bench makes and starts (token stores, Pulumi homes and states, the SDK build,
 * plugin archives; the CLI, Go and Node processes inherit TMPDIR) goes in one temporary folder,
 * removed when the bench exits, by whichever path.
 */
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), "b24-bench-run-"));
for (const name of ["TMPDIR", "TMP", "TEMP"]) process.env[name] = runTmp;
process.on("exit", () => fs.rmSync(runTmp, { recursive: true, force: true, maxRetries: 5 }));

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
