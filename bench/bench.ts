/**
 * `npm run bench [-- --n 200 --latency 50]`: N connectors created, refreshed and deleted through the
 * provider with engine-like concurrency (everything at once: the CLI's default parallelism is
 * unbounded) against the emulator at Bitrix24's default limit (2 requests/s, burst 50), next to a
 * naive baseline (one unthrottled call per operation, plain retry) in the same run. Prints figures;
 * it does not pass or fail on time (this machine is shared: compare ratios, not seconds).
 */
import axios from "axios";
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import { parseArgs } from "util";
import { SettingKey, layeredSource, resolveSettings } from "../provider/client/settings";
import { createClient } from "../provider/client/shared";
import { ConnectorProvider } from "../provider/resources/connectorProvider";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { JsonObject } from "../provider/schema/spec";

const RPS = 2;
const BURST = 50;

interface PhaseResult {
  phase: string;
  ops: number;
  failed: number;
  calls: number;
  rateLimited: number;
  seconds: number;
}

function declared(i: number): JsonObject {
  return {
    title: `Bench connector ${i}`,
    logo: "https://connector.example.com/logo.svg",
    urlCheck: "https://connector.example.com/check",
    urlTableList: "https://connector.example.com/table_list",
    urlTableDescription: "https://connector.example.com/table_description",
    urlData: "https://connector.example.com/data",
    settings: [{ name: "Login", code: "login", type: "STRING" }],
  };
}

async function phase(
  emu: Emulator,
  name: string,
  ops: (() => Promise<unknown>)[],
): Promise<PhaseResult> {
  const before = emu.calls.length;
  const t0 = Date.now();
  const settled = await Promise.allSettled(ops.map((op) => op()));
  const calls = emu.calls.slice(before);
  return {
    phase: name,
    ops: ops.length,
    failed: settled.filter((s) => s.status === "rejected").length,
    calls: calls.length,
    rateLimited: calls.filter((c) => c.status === 503).length,
    seconds: (Date.now() - t0) / 1000,
  };
}

/** The portal's bucket is empty again (full burst available) after burst/rps seconds of quiet. */
const drain = () => new Promise((r) => setTimeout(r, (BURST / RPS) * 1000 + 500));

async function providerRun(n: number, latencyMs: number): Promise<PhaseResult[]> {
  const emu = await startEmulator({ rateLimit: { rps: RPS, burst: BURST }, latencyMs });
  const store = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "b24-bench-")), "tokens.json");
  const values: Partial<Record<SettingKey, string>> = emu.providerSettings(store);
  const client = createClient(resolveSettings(layeredSource((k) => values[k], {})));
  const p = new ConnectorProvider(() => client);
  const results: PhaseResult[] = [];
  const created: { id: string; outs: JsonObject }[] = [];
  results.push(
    await phase(
      emu,
      "create",
      Array.from({ length: n }, (_, i) => async () => {
        const { inputs } = await p.check({}, declared(i));
        const r = await p.create(inputs as JsonObject);
        created.push({ id: r.id, outs: r.outs as JsonObject });
      }),
    ),
  );
  await drain();
  results.push(
    await phase(
      emu,
      "refresh",
      created.map((c) => () => p.read(c.id, c.outs)),
    ),
  );
  await drain();
  results.push(
    await phase(
      emu,
      "delete",
      created.map((c) => () => p.delete(c.id, c.outs)),
    ),
  );
  await emu.close();
  return results;
}

/** One unthrottled HTTP call per operation; on failure the same call again after 1 s, 3 times. */
async function naiveRun(n: number, latencyMs: number): Promise<PhaseResult[]> {
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
  const ids: number[] = [];
  const results: PhaseResult[] = [];
  results.push(
    await phase(
      emu,
      "create",
      Array.from({ length: n }, (_, i) => async () => {
        const r = await call("biconnector.connector.add", { fields: declared(i) });
        ids.push(Number((r.result as JsonObject).id));
      }),
    ),
  );
  await drain();
  results.push(
    await phase(
      emu,
      "refresh",
      ids.map((id) => () => call("biconnector.connector.get", { id })),
    ),
  );
  await drain();
  results.push(
    await phase(
      emu,
      "delete",
      ids.map((id) => () => call("biconnector.connector.delete", { id })),
    ),
  );
  await emu.close();
  return results;
}

function print(label: string, rows: PhaseResult[]): void {
  console.log(`\n${label}`);
  console.log("phase     ops  failed  HTTP calls  503s   wall s  floor s  wall/floor");
  for (const r of rows) {
    // The portal lets `burst` calls through at once, then `rps` per second.
    const floor = Math.max(0, r.calls - BURST) / RPS;
    const ratio = floor > 0 ? (r.seconds / floor).toFixed(2) : "n/a (within burst)";
    console.log(
      `${r.phase.padEnd(8)} ${String(r.ops).padStart(4)} ${String(r.failed).padStart(7)} ${String(r.calls).padStart(11)} ${String(r.rateLimited).padStart(5)} ${r.seconds.toFixed(1).padStart(8)} ${floor.toFixed(1).padStart(8)}  ${ratio}`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: "string", default: process.env.BENCH_N ?? "200" },
      latency: { type: "string", default: process.env.BENCH_LATENCY_MS ?? "50" },
    },
  });
  const n = Number(values.n);
  const latency = Number(values.latency);
  console.log(
    `${n} connectors, portal limit ${RPS} req/s burst ${BURST}, ${latency} ms latency, all operations of a phase at once`,
  );
  console.log(
    `refresh target: at most N/10 + 2 = ${n / 10 + 2} HTTP calls; create target: wall ≤ 1.15 × floor`,
  );
  print("provider (shared leaky bucket, batching, backoff):", await providerRun(n, latency));
  print("naive baseline (unthrottled, plain retry ×3 after 1 s):", await naiveRun(n, latency));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
