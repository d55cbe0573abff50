import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CallRecord, Emulator } from "bitrix24-biconnector-emulator";
import { CLI, ROOT, childOptions, deployment, emulatorAndPlugin, runCli } from "./cliRun";
import { ProcessInfo, descendants, kill, processInfo, survivors } from "../helpers/processTree";

/**
 * Issue 35 under the real CLI: `up` and `destroy` of 40 connectors and a pipeline (a connector,
 * 3 sources, 6 datasets) killed with SIGKILL at ten points spread over the run (a fixed seed),
 * for the native plugin (YAML) and the dynamic provider (a TypeScript inline program). What is
 * killed varies: the CLI, the program, the provider, or all of them (a CI job's timeout). After
 * each kill: every provider process ends within 10 s by itself; `pulumi cancel` releases the
 * lock; the next command ends with exactly the declared objects (after up: no duplicate title,
 * then a preview without changes; after destroy: none).
 */
const CONNECTORS = 41;
const SOURCES = 3;
const DATASETS = 6;
const KILLS = Number(process.env.KILL_POINTS ?? 10);
const SEED = 35;
const PROVIDER_GONE_MS = 10_000;

// An emulator without a rate limit, and the native plugin's launcher (for the YAML runs).
const cli = emulatorAndPlugin();
let emu: Emulator;
beforeAll(() => (emu = cli.emu));

/** mulberry32: the kill points and victims of every run come from SEED. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Command = "up" | "destroy" | "preview";
type Victim = "cli" | "program" | "provider" | "all";
const VICTIMS: Victim[] = ["cli", "program", "provider", "all"];

interface Host {
  name: string;
  /** Starts a command; the child is the process the test spawned. */
  start(command: Command): ChildProcess;
  /** Which of the run's processes is the program, and which the provider. */
  isProgram(p: ProcessInfo, root: number): boolean;
  isProvider(p: ProcessInfo): boolean;
  /** The folder with the project's Pulumi.yaml, for `pulumi cancel`. */
  projectDir: string;
  d: ReturnType<typeof deployment>;
  vars: Record<string, string>;
}

/** The portal's credentials and the sample connector's, as environment variables of a run. */
function environment(d: ReturnType<typeof deployment>): Record<string, string> {
  const tokenStore = path.join(d.workDir, "tokens.json");
  const s = emu.providerSettings(tokenStore);
  const pair = emu.oauth.issue(s.clientId);
  return {
    BITRIX24_PORTAL_URL: s.portalUrl,
    BITRIX24_CLIENT_ID: s.clientId,
    BITRIX24_CLIENT_SECRET: s.clientSecret,
    BITRIX24_REFRESH_TOKEN: pair.refreshToken,
    BITRIX24_OAUTH_URL: s.oauthUrl,
    BITRIX24_TOKEN_STORE: tokenStore,
    BITRIX24_ALLOW_PRIVATE_ENDPOINTS: "true",
    // The emulator has no limit here: runs as fast as the engine goes, so that ten kills fit.
    BITRIX24_RATE_LIMIT_RPS: "1000",
    BITRIX24_RATE_LIMIT_BURST: "1000",
    KILLED_ENDPOINT: emu.sampleConnectorUrl,
    KILLED_LOGIN: emu.sampleConnectorCredentials.login,
    KILLED_PASSWORD: emu.sampleConnectorCredentials.password,
  };
}

/** The same objects as tests/cli/programs/killed/index.ts, in Pulumi YAML. */
function yamlProgram(): string {
  const logo = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=";
  const e = emu.sampleConnectorUrl;
  const connector = (title: string, settings: string[]) =>
    [
      "    type: bitrix24:index:Connector",
      "    properties:",
      `      title: ${title}`,
      `      logo: ${logo}`,
      `      urlCheck: ${e}/check`,
      `      urlTableList: ${e}/table_list`,
      `      urlTableDescription: ${e}/table_description`,
      `      urlData: ${e}/data`,
      "      settings:",
      ...settings.map((c) => `        - { name: ${c}, code: ${c.toLowerCase()}, type: STRING }`),
    ].join("\n");
  const lines = ["name: bitrix24-killed-halfway", "runtime: yaml", "resources:"];
  for (let i = 1; i <= 40; i++) lines.push(`  c${i}:`, connector(`Killed ${i}`, ["Login"]));
  lines.push("  warehouse:", connector("Killed warehouse", ["Login", "Password"]));
  const { login, password } = emu.sampleConnectorCredentials;
  for (let s = 1; s <= 3; s++) {
    lines.push(
      `  s${s}:`,
      "    type: bitrix24:index:Source",
      "    properties:",
      "      connectorId: ${warehouse.id}",
      `      title: Killed source ${s}`,
      `      settings: { login: ${login}, password: ${password} }`,
    );
    for (let d = 1; d <= 2; d++)
      lines.push(
        `  s${s}d${d}:`,
        "    type: bitrix24:index:Dataset",
        "    properties:",
        `      sourceId: \${s${s}.id}`,
        `      name: killed_${s}_${d}`,
        "      externalCode: deals",
        "      externalName: Deals",
        "      fields:",
        "        - { name: DEAL_ID, type: int, externalCode: deal_id }",
        `        - { name: AMOUNT, type: double, externalCode: amount, visible: ${d === 1} }`,
      );
  }
  return lines.join("\n") + "\n";
}

const FLAGS: Record<Command, string[]> = {
  up: ["up", "--yes", "--non-interactive", "--skip-preview"],
  destroy: ["destroy", "--yes", "--non-interactive", "--skip-preview"],
  preview: ["preview", "--non-interactive", "--expect-no-changes"],
};

async function yamlHost(): Promise<Host> {
  const d = deployment();
  const projectDir = path.join(d.workDir, "project");
  fs.mkdirSync(projectDir);
  fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), yamlProgram());
  const vars = environment(d);
  const options = childOptions(d, projectDir, 600_000, [cli.pluginBin]);
  const env = { ...options.env, ...vars };
  const r = await runCli(d, projectDir, ["stack", "init", "dev"]);
  expect(r.code).toBe(0);
  return {
    name: "native plugin (YAML)",
    d,
    vars,
    projectDir,
    start: (command) =>
      spawn(CLI, [...FLAGS[command], "--stack", "dev"], { cwd: projectDir, env, stdio: "pipe" }),
    isProgram: (p) => /pulumi-language-yaml/.test(p.cmd),
    isProvider: (p) => /plugin[\\/]main\.js/.test(p.cmd),
  };
}

async function dynamicHost(): Promise<Host> {
  const d = deployment();
  const vars = environment(d);
  const options = childOptions(d, ROOT, 600_000);
  const env = { ...options.env, ...vars };
  return {
    name: "dynamic provider (TypeScript)",
    d,
    vars,
    projectDir: d.workDir,
    start: (command) => {
      const request = {
        program: "tests/cli/programs/killed",
        workDir: d.workDir,
        stack: "dev",
        command,
        env: d.env,
        quiet: true,
      };
      return spawn(
        process.execPath,
        [path.join(ROOT, "scripts", "inline-program.js"), JSON.stringify(request)],
        { cwd: ROOT, env, stdio: "pipe" },
      );
    },
    // The inline program runs in the process the test spawned.
    isProgram: (p, root) => p.pid === root,
    isProvider: (p) => /dynamic-provider/.test(p.cmd),
  };
}

/** The requests that write: adds, updates, deletes, alone or in a batch. */
function writesIn(calls: readonly CallRecord[]): CallRecord[] {
  const write = /\.(add|update|delete)$/;
  return calls.filter((c) => write.test(c.method) || (c.commands ?? []).some((m) => write.test(m)));
}

/**
 * Where a run is killed: once the portal has answered `afterWrites` of its writing requests (0:
 * as soon as the run starts), and `delayMs` later — before the provider read that answer, while
 * it does, or after: before, during and after each batch.
 */
interface KillPoint {
  afterWrites: number;
  delayMs: number;
}

interface Finished {
  ok: boolean;
  output: string;
  ms: number;
}

function finished(child: ChildProcess, timeoutMs = 300_000): Promise<Finished> {
  const started = Date.now();
  let output = "";
  child.stdout?.on("data", (c) => (output += c));
  child.stderr?.on("data", (c) => (output += c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => kill(child.pid as number), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output, ms: Date.now() - started });
    });
  });
}

/** A command run whole; fails the test with what it printed unless it succeeded. */
async function whole(host: Host, command: Command): Promise<Finished & { writes: number }> {
  const before = emu.calls.length;
  const r = { ...(await finished(host.start(command))), writes: 0 };
  r.writes = writesIn(emu.calls.slice(before)).length;
  if (!r.ok) {
    const errors = r.output.split("\n").filter((l) => /error/i.test(l));
    throw new Error(
      `${command} failed:\n${errors.slice(0, 20).join("\n")}\n…\n${r.output.slice(-2000)}`,
    );
  }
  if (command === "preview" && host.name.startsWith("dynamic"))
    // The inline driver has no --expect-no-changes: its summary must hold nothing but "same".
    expect(
      Object.keys(JSON.parse(/@@result (.*)/.exec(r.output)?.[1] ?? "{}").summary ?? {}),
    ).toEqual(["same"]);
  return r;
}

/**
 * Starts `command`, kills `victim` `atMs` in (every process of the run when "all"), then waits for
 * the run to end; returns how long the run's provider processes lived on after the kill.
 */
async function killed(host: Host, command: Command, point: KillPoint, victim: Victim) {
  const started = Date.now();
  const before = emu.calls.length;
  const child = host.start(command);
  const done = finished(child);
  let ended = false;
  void done.then(() => (ended = true));
  const root = child.pid as number;
  // The portal runs in this process: its answer to the write is sent when this loop sees it.
  while (!ended && writesIn(emu.calls.slice(before)).length < point.afterWrites)
    await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, point.delayMs));
  const atMs = Date.now() - started;
  const endedBefore = ended;
  const tree = descendants(root);
  const all = [processInfo(root), ...tree].filter((p): p is ProcessInfo => p !== undefined);
  const isCli = (p: ProcessInfo) => /(^|\/)pulumi$/.test(p.cmd.split(" ")[0]);
  const targets = all
    .filter((p) =>
      victim === "all"
        ? true
        : victim === "cli"
          ? isCli(p)
          : victim === "program"
            ? host.isProgram(p, root)
            : host.isProvider(p),
    )
    .map((p) => p.pid);
  // Before that process has started, the kill falls on the CLI, else on the process started.
  if (!targets.length) targets.push(...all.filter(isCli).map((p) => p.pid));
  if (!targets.length) targets.push(root);
  for (const pid of targets) kill(pid);
  const killedAt = Date.now();
  const providers = tree.filter(host.isProvider).map((p) => p.pid);
  const left = await survivors(providers, PROVIDER_GONE_MS);
  const providersGoneMs = Date.now() - killedAt;
  let waited: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((r) => (waited = setTimeout(r, 60_000)))]);
  clearTimeout(waited);
  // Anything else of the run still there (not ours to end: e.g. a language host) is ended here.
  for (const p of descendants(root)) kill(p.pid);
  kill(root);
  return {
    left,
    providersGoneMs,
    providers: providers.length,
    targets: targets.length,
    atMs,
    ended: endedBefore,
  };
}

function expectPortal(count: { connectors: number; sources: number; datasets: number }) {
  const titles = [...emu.state.connectors.values()].map((o) => String(o.fields.title));
  expect(new Set(titles).size).toBe(titles.length);
  expect({
    connectors: emu.state.connectors.size,
    sources: emu.state.sources.size,
    datasets: emu.state.datasets.size,
  }).toEqual(count);
}

/**
 * The file backend's own tear, not ours: it writes each checkpoint atomically (a temporary file
 * renamed), but the `.attrs` file beside it (gocloud.dev's fileblob, setAttrs: os.Create, then
 * the JSON) is truncated first and written after, so a CLI killed in between leaves it empty and
 * every later command fails with "failed to load checkpoint: EOF". A missing `.attrs` file is
 * read as "no attributes", so an empty one is removed, and the test says so.
 */
function repairTornAttrs(dir: string): string[] {
  const torn: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith(".attrs") && fs.statSync(f).size === 0) {
        fs.rmSync(f);
        torn.push(path.relative(dir, f));
      }
    }
  };
  walk(dir);
  return torn;
}

/** After a kill: the backend's torn `.attrs` files, then the lock a killed CLI held (if any). */
async function cancel(host: Host): Promise<string[]> {
  const torn = repairTornAttrs(host.d.state);
  await runCli(host.d, host.projectDir, ["cancel", "--yes", "--stack", "dev"]);
  return torn;
}

const declared = { connectors: CONNECTORS, sources: SOURCES, datasets: DATASETS };
const none = { connectors: 0, sources: 0, datasets: 0 };

describe.each([
  ["native plugin (YAML)", yamlHost],
  ["dynamic provider (TypeScript)", dynamicHost],
])("killed halfway: %s", (name, makeHost) => {
  test(`up and destroy killed at ${KILLS} points each: the next command ends with exactly the declared objects, and no provider outlives its engine`, async () => {
    emu.state.reset();
    const host = await makeHost();
    const rand = random(SEED);
    // How long a whole up and destroy take here: the kill points are spread over them.
    const up = await whole(host, "up");
    expectPortal(declared);
    const destroy = await whole(host, "destroy");
    expectPortal(none);
    // Ten kill points spread over the run's writes, each a little after a write was answered.
    const point = (writes: number, i: number): KillPoint => ({
      afterWrites: Math.floor(((writes + 1) * (i + rand())) / KILLS),
      delayMs: Math.floor(rand() * 150),
    });
    console.log(
      `${name}: a whole up takes ${up.ms} ms and ${up.writes} writing requests, ` +
        `a whole destroy ${destroy.ms} ms and ${destroy.writes}`,
    );
    for (let i = 0; i < KILLS; i++) {
      const upAt = point(up.writes, i);
      const upVictim = VICTIMS[Math.floor(rand() * VICTIMS.length)];
      const k = await killed(host, "up", upAt, upVictim);
      console.log(
        `${name}, kill ${i + 1}: up killed ${k.ended ? "(had ended) " : ""}${k.atMs} ms in, ` +
          `${upAt.delayMs} ms after write ${upAt.afterWrites} (${upVictim}, ${k.targets} processes); ` +
          `portal then ${emu.state.connectors.size}/${emu.state.sources.size}/${emu.state.datasets.size}; ` +
          `${k.providers} provider processes gone ${k.providersGoneMs} ms after`,
      );
      expect(k.left).toEqual([]);
      const torn = await cancel(host);
      if (torn.length) console.log(`  the file backend's torn .attrs removed: ${torn.join(", ")}`);
      await whole(host, "up");
      expectPortal(declared);
      await whole(host, "preview");
      const destroyAt = point(destroy.writes, i);
      const destroyVictim = VICTIMS[Math.floor(rand() * VICTIMS.length)];
      const kd = await killed(host, "destroy", destroyAt, destroyVictim);
      console.log(
        `${name}, kill ${i + 1}: destroy killed ${kd.ended ? "(had ended) " : ""}${kd.atMs} ms in, ` +
          `${destroyAt.delayMs} ms after write ${destroyAt.afterWrites} (${destroyVictim}); ` +
          `${kd.providers} provider processes gone ${kd.providersGoneMs} ms after`,
      );
      expect(kd.left).toEqual([]);
      const tornByDestroy = await cancel(host);
      if (tornByDestroy.length)
        console.log(`  the file backend's torn .attrs removed: ${tornByDestroy.join(", ")}`);
      await whole(host, "destroy");
      expectPortal(none);
    }
  }, 1_800_000);
});
