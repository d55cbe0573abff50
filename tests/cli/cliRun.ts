import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Emulator, settingsAsStackConfig, startEmulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";

/**
 * The real Pulumi CLI (built by `npm run pulumi:install` into .pulumi-cli/bin) driving a program
 * against the emulator. Every run: a local file backend with a passphrase, a temporary PULUMI_HOME,
 * no update check, no plugin downloads; an async child process with a time limit (the emulator
 * lives in this process and must keep answering).
 */
export const ROOT = path.resolve(__dirname, "../..");
export const CLI_BIN = path.join(ROOT, ".pulumi-cli", "bin");
export const CLI = path.join(CLI_BIN, "pulumi");

/** The inline-program driver's helpers: one place for the rules of every CLI run. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain Node script of the repo
const driver = require("../../scripts/inline-program.js") as {
  isolatedCli(base: string, passphrase: string): Deployment;
  cliPath(more?: string[]): string;
  pluginLauncher(dir: string): string;
};

/** A folder with the native plugin's launcher (`pulumi-resource-bitrix24`), for a run's PATH. */
export const pluginLauncher = (dir: string): string => driver.pluginLauncher(dir);

/**
 * For a test file of YAML or SDK programs: an emulator (no rate limit, loopback endpoints allowed:
 * the sample connector) and a folder with the native plugin's launcher, made before its tests
 * (failing them when the CLI is missing) and closed after. Read its fields inside tests.
 */
export function emulatorAndPlugin(): { emu: Emulator; pluginBin: string } {
  const fixture = {} as { emu: Emulator; pluginBin: string };
  beforeAll(async () => {
    const missing = cliMissing();
    if (missing) throw new Error(missing);
    fixture.emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true });
    fixture.pluginBin = pluginLauncher(tempDir("b24-plugin-bin-"));
  });
  afterAll(() => fixture.emu?.close());
  return fixture;
}

/**
 * How the CLI refuses a second update of a stack while one runs: "the stack is currently locked",
 * or, on a file backend when both take the lock in the same instant, an error about the other's
 * lock file (`stat …/.pulumi/locks/…: no such file or directory`: the file backend lists the lock
 * folder while the other's lock file is being renamed into place). Either way it changed nothing.
 */
export const STACK_LOCK_REFUSAL = /currently locked|\.pulumi\/locks\/\S+: no such file/;

/** Fails the test with what the CLI (or the program) said, when the run did not succeed. */
export function expectOk(r: { ok: boolean; output: string; error?: string }): void {
  if (!r.ok) throw new Error(`the CLI failed: ${r.error ?? r.output.slice(-3000)}`);
}

/** Why the CLI cannot run here, or undefined when it can. */
export function cliMissing(): string | undefined {
  return fs.existsSync(CLI)
    ? undefined
    : `no Pulumi CLI at ${path.relative(ROOT, CLI)}: run \`npm run pulumi:install\` (npm test does it first)`;
}

export interface Deployment {
  workDir: string;
  state: string;
  env: Record<string, string>;
}

/** A deployment of its own: file backend, PULUMI_HOME and program folder (scripts/inline-program.js). */
export function deployment(): Deployment {
  return driver.isolatedCli(tempDir("b24-cli-"), "cli-tests-only");
}

export interface CliEvent {
  phase: "pre" | "outputs";
  op: string;
  urn: string;
  type?: string;
  diffs: string[];
}

export interface RunResult {
  ok: boolean;
  /** Everything the CLI printed. */
  output: string;
  summary?: Record<string, number>;
  outputs?: Record<string, unknown>;
  events: CliEvent[];
  exported?: {
    deployment?: {
      resources?: {
        urn: string;
        inputs?: Record<string, unknown>;
        outputs?: Record<string, unknown>;
        sourcePosition?: string;
      }[];
    };
  };
  error?: string;
}

export type ConfigValues = Record<string, { value: string; secret?: boolean } | null>;

/**
 * The stack config that points a program at this emulator (its OAuth application), with a token
 * pair of its own: refresh tokens are single use, so deployments sharing an emulator must not
 * share a pair.
 */
export function emulatorConfig(emu: Emulator, tokenStore: string): ConfigValues {
  const settings = emu.providerSettings(tokenStore);
  return settingsAsStackConfig({ ...settings, ...emu.oauth.issue(settings.clientId) });
}

/**
 * How a child process of a CLI run starts: the deployment's environment, our CLI and this Node
 * first on PATH, a time limit after which it is killed.
 */
export function childOptions(
  d: Deployment,
  cwd: string,
  timeoutMs: number,
  morePath: string[] = [],
) {
  return {
    cwd,
    timeout: timeoutMs,
    killSignal: "SIGKILL" as const,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      ...d.env,
      PATH: driver.cliPath(morePath),
    },
  };
}

/**
 * Everything Pulumi keeps of a deployment: every file of its backend, the stack's config file and
 * what `pulumi stack export` prints.
 */
export async function whatPulumiKeeps(d: Deployment): Promise<{ file: string; text: string }[]> {
  const exported = await runCli(d, d.workDir, ["stack", "export", "--stack", "dev"]);
  expect(exported.code).toBe(0);
  const kept = [
    ...filesUnder(d.state),
    ...filesUnder(d.workDir).filter((f) => /Pulumi\..*ya?ml$/.test(f.file)),
    { file: "pulumi stack export", text: exported.output },
  ];
  expect(kept.some((f) => f.file.endsWith("Pulumi.dev.yaml"))).toBe(true);
  return kept;
}

/** Fails naming the place when any form of any of these secrets is in any of these texts. */
export function expectNoPlaintext(kept: { file: string; text: string }[], secrets: string[]): void {
  for (const s of secrets)
    for (const form of secretForms(s))
      for (const f of kept)
        if (f.text.includes(form)) throw new Error(`a secret is in plaintext in ${f.file}`);
}

/** One CLI command on an example program, as an Automation API inline program in a child process. */
export function runInline(
  d: Deployment,
  program: string,
  command: "preview" | "up" | "refresh" | "destroy" | "export",
  config: ConfigValues = {},
  timeoutMs = 150_000,
): Promise<RunResult> {
  const request = { program, workDir: d.workDir, stack: "dev", command, config, env: d.env };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "scripts", "inline-program.js"), JSON.stringify(request)],
      childOptions(d, ROOT, timeoutMs),
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const line = (tag: string) =>
          stdout
            .split("\n")
            .reverse()
            .find((l) => l.startsWith(`${tag} `));
        const result = line("@@result");
        const failed = line("@@error");
        if (result && !error)
          return resolve({ ok: true, output, events: [], ...JSON.parse(result.slice(9)) });
        resolve({
          ok: false,
          output,
          events: [],
          error: failed
            ? (JSON.parse(failed.slice(8)) as { message: string }).message
            : `${error?.killed ? `killed after ${timeoutMs} ms` : `exit ${String(error?.code)}`}: ${output.slice(-2000)}`,
        });
      },
    );
  });
}

/**
 * The events of one resource (by its name in the program): the step announced ("pre": its op),
 * or the step done ("outputs": what changed).
 */
export function eventsOf(r: RunResult, name: string, phase: "pre" | "outputs" = "pre"): CliEvent[] {
  return r.events.filter((e) => e.urn.endsWith(`::${name}`) && e.phase === phase);
}

/** One `pulumi` command in a project folder (the ordinary, non-inline form), async with a limit. */
export function runCli(
  d: Deployment,
  cwd: string,
  args: string[],
  timeoutMs = 150_000,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) =>
    execFile(CLI, args, childOptions(d, cwd, timeoutMs), (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    ),
  );
}

/**
 * A command in `cwd` under a deployment's environment (`vars` added), with our CLI, the folders in
 * `morePath` (e.g. the native plugin's) and this Node first on PATH; async, with a time limit.
 */
export function runIn(
  d: Deployment,
  cwd: string,
  cmd: string,
  args: string[],
  opts: { vars?: Record<string, string>; morePath?: string[]; timeoutMs?: number } = {},
): Promise<{ ok: boolean; output: string }> {
  const options = childOptions(d, cwd, opts.timeoutMs ?? 300_000, opts.morePath);
  return new Promise((resolve) =>
    execFile(
      cmd,
      args,
      { ...options, env: { ...options.env, ...opts.vars } },
      (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }),
    ),
  );
}

/**
 * The shell block that follows `<!-- NAME: … -->` in README.md or a page of docs/: commands the
 * tests run as written, wherever the documentation keeps them.
 */
export function readmeBlock(name: string): string {
  const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
  for (const file of ["README.md", ...docs.map((f) => path.join("docs", f))]) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const m = new RegExp(`<!-- ${name}:[^>]*-->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(text);
    if (m) return m[1];
  }
  throw new Error(`README.md and docs/ have no block marked ${name}`);
}

/** An example as a project folder of its own: its files, and node_modules resolving the SDK and this package. */
export function projectCopy(program: string): string {
  const dir = tempDir("b24-project-");
  for (const f of fs.readdirSync(path.join(ROOT, program)))
    fs.copyFileSync(path.join(ROOT, program, f), path.join(dir, f));
  fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  fs.symlinkSync(
    path.join(ROOT, "node_modules", "@pulumi", "pulumi"),
    path.join(dir, "node_modules", "@pulumi", "pulumi"),
  );
  fs.symlinkSync(ROOT, path.join(dir, "node_modules", "pulumi-bitrix24-biconnector"));
  return dir;
}

/** Every file under a folder, as text. */
export function filesUnder(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push({ file: p, text: fs.readFileSync(p, "utf8") });
  }
  return out;
}

/** The forms a secret may take in a file: as is, JSON-escaped, URL-encoded, base64. */
export function secretForms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString("base64"),
  ];
}
