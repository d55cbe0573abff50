/**
 * `npm run bench -- --cli`: N connectors (examples/connectors-from-config) under the real Pulumi
 * CLI (`npm run pulumi:install`), run as an Automation API inline program, against the emulator at
 * the portal's limits: up, refresh, a change of every title, destroy — at the CLI's default
 * --parallel (4 × CPUs) and at 64. Per phase: requests, the bucket's peak share, 503s, wall time.
 * bench.ts prints them beside the engine-like runner of our tests, then where the time goes
 * (engineTimes): the same connectors on the dynamic provider and on the native plugin (from the
 * same Node program on the generated SDK, and from a YAML program), each command placed against
 * the emulator's request log.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Emulator, settingsAsStackConfig, startEmulator } from "bitrix24-biconnector-emulator";
import { buildNodeSdk } from "../tests/cli/sdkBuilds";

const ROOT = path.resolve(__dirname, "../..");
/** The inline-program driver's helpers: one place for the rules of every CLI run. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain Node script of the repo
const driver = require(path.join(ROOT, "scripts", "inline-program.js")) as {
  isolatedCli(
    base: string,
    passphrase: string,
  ): { workDir: string; state: string; env: Record<string, string> };
  cliPath(more?: string[]): string;
  pluginLauncher(dir: string): string;
};

export interface CliRow {
  phase: string;
  requests: number;
  peak: number;
  rateLimited: number;
  seconds: number;
  ok: boolean;
  /** Peak resident memory (MB) of the CLI (the engine) and of the provider's process. */
  rssMb: { engine: number; provider: number };
  /** After the phase: the stack's state file, bytes per resource, and one `__provider` text's. */
  state?: { perResource: number; provider: number };
}

/**
 * The stack's state file (the local backend's, under `stateDir`) as the engine left it: its size per
 * resource, and the length of the first dynamic resource's `__provider` text, which the engine
 * rewrites with the whole state after every step (issue 38).
 */
function stateSize(stateDir: string): CliRow["state"] {
  const stacks = path.join(stateDir, ".pulumi", "stacks");
  const file = fs
    .readdirSync(stacks, { recursive: true, encoding: "utf8" })
    .find((f) => f.endsWith(`${path.sep}dev.json`));
  if (!file) return undefined;
  const text = fs.readFileSync(path.join(stacks, file), "utf8");
  const resources = (
    JSON.parse(text) as { checkpoint: { latest?: { resources?: { inputs?: object }[] } } }
  ).checkpoint.latest?.resources;
  if (!resources?.length) return undefined;
  const shim = resources
    .map((r) => (r.inputs as { __provider?: string })?.__provider)
    .find(Boolean);
  return { perResource: text.length / resources.length, provider: shim?.length ?? 0 };
}

/**
 * Samples, every 250 ms until stopped, the resident memory of the Pulumi CLI (the engine) and of
 * the provider's process (the dynamic provider's host, or the native plugin), by `ps`; their peaks.
 */
function memorySampler(): () => { engine: number; provider: number } {
  const peak = { engine: 0, provider: 0 };
  let stopped = false;
  const sample = () =>
    execFile("ps", ["-eo", "rss=,args="], { maxBuffer: 16 << 20 }, (error, stdout) => {
      if (!error)
        for (const line of stdout.split("\n")) {
          const m = /^\s*(\d+)\s+(.*)$/.exec(line);
          if (!m) continue;
          const mb = Number(m[1]) / 1024;
          const args = m[2];
          if (/\/\.pulumi-cli\/bin\/pulumi (up|destroy|refresh|preview)\b/.test(args))
            peak.engine = Math.max(peak.engine, mb);
          else if (/dynamic-provider|pulumi-resource-bitrix24|plugin\/main\.js/.test(args))
            peak.provider = Math.max(peak.provider, mb);
        }
      if (!stopped) setTimeout(sample, 250);
    });
  sample();
  return () => {
    stopped = true;
    return { ...peak };
  };
}

function connectors(n: number, titleSuffix: string): Record<string, unknown> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `c${i}`,
      {
        title: `Bench connector ${i}${titleSuffix}`,
        logo: "https://connector.example.com/logo.svg",
        urlCheck: "https://connector.example.com/check",
        urlTableList: "https://connector.example.com/table_list",
        urlTableDescription: "https://connector.example.com/table_description",
        urlData: "https://connector.example.com/data",
        settings: [{ name: "Login", code: "login", type: "STRING" }],
      },
    ]),
  );
}

/** A child process with the deployment's env and our CLI (and `morePath`) first on PATH. */
function spawned(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  morePath: string[] = [],
): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) =>
    execFile(
      cmd,
      args,
      {
        cwd,
        timeout: 900_000,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, ...env, PATH: driver.cliPath(morePath) },
      },
      (error, stdout, stderr) => resolve({ ok: !error, out: `${stdout}${stderr}` }),
    ),
  );
}

/**
 * One command of the inline-program driver (its request in a file: it may exceed argv's limit);
 * `morePath`: folders for PATH (the native plugin's).
 */
const run = (request: object, env: Record<string, string>, morePath: string[] = []) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "b24-request-"));
  const file = path.join(dir, "request.json");
  fs.writeFileSync(file, JSON.stringify(request));
  return spawned(
    process.execPath,
    [path.join(ROOT, "scripts", "inline-program.js"), `@${file}`],
    ROOT,
    env,
    morePath,
  ).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
};

/**
 * The four commands of a deployment's life (up, refresh, a change of every title, destroy), each a
 * process of its own, back to back as a user or CI runs them: the portal's bucket is not waited
 * for between them, so each phase's peak includes what the one before left in it. `portal`:
 * "limits" is the portal at its default limits (2 req/s, burst 50) with `latencyMs`; "instant" an
 * unlimited portal without latency that the provider is told is unlimited (so it does not pace
 * itself): what remains is the engine's own time. `native`: on the native plugin, from the same
 * Node program on the generated SDK (`sdk`: nodeSdk()), instead of the dynamic provider.
 */
export async function cliRun(
  n: number,
  latencyMs: number,
  parallel: number,
  portal: "limits" | "instant" = "limits",
  native?: { sdk: string },
): Promise<CliRow[]> {
  const emu =
    portal === "limits"
      ? await startEmulator({ rateLimit: { rps: 2, burst: 50 }, latencyMs })
      : await startEmulator({ rateLimit: false, latencyMs: 0 });
  const told =
    portal === "limits"
      ? {}
      : {
          "bitrix24:rateLimitRps": { value: "10000", secret: false },
          "bitrix24:rateLimitBurst": { value: "10000", secret: false },
        };
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "b24-clibench-"));
  const { workDir, state, env } = driver.isolatedCli(base, "bench-only");
  // The native plugin: the same connectors from the same Node program on the generated SDK.
  const program = native ? "bench/sdk-connectors" : "examples/connectors-from-config";
  const links = native ? { "pulumi-bitrix24-biconnector-sdk": native.sdk } : {};
  const morePath = native ? [driver.pluginLauncher(path.join(base, "plugin-bin"))] : [];
  const rows: CliRow[] = [];
  const phase = async (name: string, command: string, config: object = {}) => {
    emu.bucket?.resetPeak();
    const before = emu.calls.length;
    const t0 = Date.now();
    const memory = memorySampler();
    const r = await run(
      { program, workDir, stack: "dev", command, config, env, parallel, quiet: true, links },
      env,
      morePath,
    );
    const rssMb = memory();
    const calls = emu.calls.slice(before);
    rows.push({
      rssMb,
      state: stateSize(state),
      phase: name,
      requests: calls.length,
      peak: emu.bucket?.peakShare() ?? 0,
      rateLimited: calls.filter((c) => c.status === 503).length,
      seconds: (Date.now() - t0) / 1000,
      ok: r.ok,
    });
    if (!r.ok) console.log(`  (${name} failed: ${r.out.slice(-600)})`);
    // BENCH_TIMELINE=1: each request of the phase, when it left and how many commands it carried.
    if (process.env.BENCH_TIMELINE)
      console.log(
        `  P=${parallel} ${name}: ${calls.map((c) => `+${((c.at - t0) / 1000).toFixed(1)}s×${c.commands?.length ?? 1}`).join(" ")}`,
      );
  };
  try {
    await phase("up", "up", {
      ...credentials(emu, `${base}/tokens.json`),
      ...told,
      connectors: { value: JSON.stringify(connectors(n, "")) },
    });
    await phase("refresh", "refresh");
    await phase("change every title", "up", {
      connectors: { value: JSON.stringify(connectors(n, " v2")) },
    });
    await phase("destroy", "destroy");
  } finally {
    await emu.close();
  }
  return rows;
}

/** Stack config for the emulator's OAuth application with a token pair of its own (single use). */
function credentials(emu: Emulator, tokenStore: string) {
  const s = emu.providerSettings(tokenStore);
  return settingsAsStackConfig({ ...s, ...emu.oauth.issue(s.clientId) });
}

/** One `pulumi` command in `cwd` (the deployment's environment, the plugin folder on PATH). */
const pulumi = (args: string[], cwd: string, env: Record<string, string>, morePath: string[]) =>
  spawned(path.join(ROOT, ".pulumi-cli", "bin", "pulumi"), args, cwd, env, morePath);

/** A Pulumi YAML program declaring the same N connectors, for the native plugin. */
function yamlProgram(n: number): string {
  const lines = ["name: bench-yaml", "runtime: yaml", "resources:"];
  for (const [name, c] of Object.entries(connectors(n, "")))
    lines.push(
      `  ${name}:`,
      "    type: bitrix24:index:Connector",
      `    properties: ${JSON.stringify(c)}`,
    );
  return `${lines.join("\n")}\n`;
}

export interface TimedRun {
  /** Seconds from starting the command to its end. */
  seconds: number;
  /** Seconds from starting the command to the portal's first request. */
  firstRequest: number;
  /** Seconds from the portal's last request to the command's end. */
  afterLast: number;
  requests: number;
  ok: boolean;
}

/** Runs `command` and times it against the emulator's request log. */
async function timed(
  emu: Emulator,
  command: () => Promise<{ ok: boolean; out: string }>,
): Promise<TimedRun> {
  const before = emu.calls.length;
  const t0 = Date.now();
  const r = await command();
  const end = Date.now();
  const calls = emu.calls.slice(before);
  if (!r.ok) console.log(`  (failed: ${r.out.slice(-600)})`);
  return {
    seconds: (end - t0) / 1000,
    firstRequest: calls.length ? (calls[0].at - t0) / 1000 : NaN,
    afterLast: calls.length ? (end - calls[calls.length - 1].at) / 1000 : NaN,
    requests: calls.length,
    ok: r.ok,
  };
}

/** The generated Node SDK, built once (tsc, as its package.json's build does), for bench programs. */
export async function nodeSdk(): Promise<string> {
  const dir = await buildNodeSdk(fs.mkdtempSync(path.join(os.tmpdir(), "b24-bench-sdk-")));
  const bin = path.join(dir, "bin");
  fs.copyFileSync(path.join(dir, "package.json"), path.join(bin, "package.json"));
  return bin;
}

/**
 * up and destroy of N connectors against `emu`: on the dynamic provider (an inline Node program;
 * the connectors in stack config, and again in a file), on the native plugin from the same Node
 * program on the generated SDK (`sdk`: nodeSdk()), and on the native plugin from a YAML program.
 * Returns the timings per engine and command.
 */
export async function engineTimes(
  emu: Emulator,
  n: number,
  parallel: number,
  limits: { rps: number; burst: number },
  sdk: string,
): Promise<Record<string, TimedRun>> {
  // The portal's limits as the provider is told them (it paces itself to its share of them).
  const told = {
    "bitrix24:rateLimitRps": { value: String(limits.rps), secret: false },
    "bitrix24:rateLimitBurst": { value: String(limits.burst), secret: false },
  };
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "b24-clitime-"));
  const out: Record<string, TimedRun> = {};
  const bin = driver.pluginLauncher(path.join(base, "plugin-bin"));
  // The same connectors from a Node program (inline): examples/connectors-from-config on the
  // dynamic provider, bench/sdk-connectors on the generated SDK and the native plugin; `inFile`:
  // the connectors in a JSON file (connectorsFile) instead of the stack config, which the engine
  // copies into the dynamic provider's state (not the native plugin's: it gets its own keys only).
  const node = async (engine: string, program: string, links = {}, inFile = false) => {
    const { workDir, env } = driver.isolatedCli(path.join(base, engine), "bench-only");
    const data = JSON.stringify(connectors(n, ""));
    const file = path.join(base, `${engine.replace(/\W+/g, "-")}-connectors.json`);
    if (inFile) fs.writeFileSync(file, data);
    const config = {
      ...credentials(emu, `${base}/${engine}-tokens.json`),
      ...told,
      ...(inFile ? { connectorsFile: { value: file } } : { connectors: { value: data } }),
    };
    const request = (command: string, cfg = {}) => ({
      program,
      workDir,
      stack: "dev",
      command,
      config: cfg,
      env,
      parallel,
      quiet: true,
      links,
    });
    // The stack and its config first, untimed.
    await run(request("export", config), env, [bin]);
    out[`${engine} up`] = await timed(emu, () => run(request("up"), env, [bin]));
    out[`${engine} destroy`] = await timed(emu, () => run(request("destroy"), env, [bin]));
  };
  await node("dynamic", "examples/connectors-from-config");
  await node("dynamic (file)", "examples/connectors-from-config", {}, true);
  await node("native (Node)", "bench/sdk-connectors", { "pulumi-bitrix24-biconnector-sdk": sdk });
  // The native plugin: the same connectors in Pulumi YAML.
  {
    const { workDir, env } = driver.isolatedCli(path.join(base, "native"), "bench-only");
    fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), yamlProgram(n));
    const p = (args: string[]) => pulumi(args, workDir, env, [bin]);
    await p(["stack", "init", "dev"]);
    const setAll = Object.entries({
      ...credentials(emu, `${base}/native-tokens.json`),
      ...told,
    }).flatMap(([k, v]) => [v.secret ? "--secret" : "--plaintext", `${k}=${v.value}`]);
    await p(["config", "set-all", "--stack", "dev", ...setAll]);
    const flags = [
      "--stack",
      "dev",
      "--yes",
      "--skip-preview",
      "--non-interactive",
      "--parallel",
      String(parallel),
    ];
    out["native (YAML) up"] = await timed(emu, () => p(["up", ...flags]));
    out["native (YAML) destroy"] = await timed(emu, () => p(["destroy", ...flags]));
  }
  return out;
}
