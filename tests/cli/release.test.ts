import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/portal";
import { ReleaseHost, startReleaseHost } from "../helpers/releaseHost";
import {
  CLI,
  CLI_BIN,
  ConfigValues,
  Deployment,
  ROOT,
  deployment,
  emulatorAndPlugin,
  emulatorConfig,
} from "./cliRun";
import { PYTHON_DRIVER, execOrFail, pythonWithSdk } from "./sdkBuilds";
import { emulatorStack, oauthVars, writeYamlConnector } from "./yamlConnector";

/**
 * `npm run release` (issue 36) and the plugin installed as users install providers: its archives
 * checked for what each platform runs; the linux-amd64 single executable serving a YAML and a
 * Python program with no `node` anywhere on PATH; the CLI downloading the plugin by itself from a
 * loopback release host named by the Python SDK's pluginDownloadURL; a host that answers 404 or
 * breaks the archive off.
 */
const cli = emulatorAndPlugin();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the release's own tables
const release = require("../../scripts/release/targets.js") as {
  PLUGIN: string;
  TARGETS: { os: string; arch: string; node?: string; exe: string }[];
  archiveName(t: { os: string; arch: string }, version: string): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the release's own constant
const sea = require("../../scripts/release/sea.js") as {
  SEA_FUSE: string;
  nodePackage(spec: string, cache: string): string;
};

const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string;
};
const LINUX = `${release.PLUGIN}-v${version}-linux-amd64.tar.gz`;
let out: string;
let releaseLog: string;
let host: ReleaseHost;
/** A Python with the SDK generated with its pluginDownloadURL at `host`. */
let python: string;

beforeAll(async () => {
  out = tempDir("b24-release-");
  releaseLog = await execOrFail(
    process.execPath,
    [path.join(ROOT, "scripts", "release.js"), "--out", out],
    ROOT,
    1_200_000,
  );
  host = await startReleaseHost(out);
  const dir = tempDir("b24-release-sdk-");
  const schema = path.join(dir, "schema.json");
  await execOrFail(
    process.execPath,
    [
      "-e",
      `require("fs").writeFileSync(${JSON.stringify(schema)}, require("./dist/provider/plugin/packageSchema").packageSchemaJson())`,
    ],
    ROOT,
  );
  fs.writeFileSync(
    schema,
    JSON.stringify({ ...JSON.parse(fs.readFileSync(schema, "utf8")), pluginDownloadURL: host.url }),
  );
  await execOrFail(path.join(CLI_BIN, "pulumi-bitrix24-gen-sdk"), [schema, "gen"], dir);
  python = await pythonWithSdk(dir, path.join(dir, "gen", "python"));
}, 1_800_000);
afterAll(() => host?.close());

/** A PATH of only our CLI (Go) and the Python environment: no node anywhere on it. */
function pathWithoutNode(): string {
  const dirs = [CLI_BIN, path.dirname(python)];
  for (const dir of dirs) expect(fs.existsSync(path.join(dir, "node"))).toBe(false);
  return dirs.join(path.delimiter);
}

/** A command with exactly this PATH (and `vars`) in the deployment's environment. */
function runWith(
  d: Deployment,
  cwd: string,
  cmd: string,
  args: string[],
  vars: Record<string, string> = {},
): Promise<{ ok: boolean; output: string }> {
  const env = { ...process.env, ...d.env, ...vars, PATH: pathWithoutNode() };
  return new Promise((resolve) =>
    execFile(
      cmd,
      args,
      { cwd, env, timeout: 300_000, killSignal: "SIGKILL", maxBuffer: 64 << 20 },
      (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }),
    ),
  );
}

/** One command of examples/python-quickstart as an inline program, its stack config in `workDir`. */
function pythonQuickstart(d: Deployment, workDir: string, command: string, config: ConfigValues) {
  const request = {
    project: path.join(ROOT, "examples", "python-quickstart"),
    command,
    stack: "dev",
    workDir,
    config,
    env: d.env,
  };
  return runWith(d, workDir, python, [PYTHON_DRIVER, JSON.stringify(request)]);
}

function quickstartConfig(d: Deployment): ConfigValues {
  const { emu } = cli;
  return {
    ...emulatorConfig(emu, path.join(d.workDir, "tokens.json")),
    "bitrix24:allowPrivateEndpoints": { value: "true" },
    endpointBaseUrl: { value: emu.sampleConnectorUrl },
    dbLogin: { value: emu.sampleConnectorCredentials.login },
    dbPassword: { value: emu.sampleConnectorCredentials.password, secret: true },
  };
}

/** A deployment whose CLI may download plugins (every other test's may not). */
function downloadingDeployment(): Deployment {
  const d = deployment();
  d.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "false";
  return d;
}

const ok = (r: { ok: boolean; output: string }, what: string) => {
  if (!r.ok) throw new Error(`${what}:\n${r.output.slice(-3000)}`);
  return r.output;
};

/** What `tar -tzf` lists of an archive of the release. */
const entries = async (archive: string) =>
  (await execOrFail("tar", ["-tzf", path.join(out, archive)], out)).trim().split("\n").sort();

/** The executable inside an archive of the release. */
async function executable(archive: string, exe: string): Promise<Buffer> {
  const dir = tempDir("b24-release-x-");
  await execOrFail("tar", ["-xzf", path.join(out, archive), "-C", dir], dir);
  return fs.readFileSync(path.join(dir, exe));
}

/** The machine a binary is for, from its header: ELF, Mach-O 64 or PE, and the CPU. */
function binaryKind(b: Buffer): string {
  if (b.readUInt32BE(0) === 0x7f454c46)
    return `linux-${({ 0x3e: "amd64", 0xb7: "arm64" } as Record<number, string>)[b.readUInt16LE(18)]}`;
  if (b.readUInt32LE(0) === 0xfeedfacf)
    return `darwin-${({ 0x01000007: "amd64", 0x0100000c: "arm64" } as Record<number, string>)[b.readUInt32LE(4)]}`;
  if (b.toString("latin1", 0, 2) === "MZ") {
    const pe = b.readUInt32LE(0x3c);
    return `windows-${b.readUInt16LE(pe + 4) === 0x8664 ? "amd64" : "other"}`;
  }
  return "unknown";
}

test("npm run release: an archive per platform as the CLI names it, the npm and Python packages, SHA256SUMS that check", async () => {
  const archives = release.TARGETS.map((t) => release.archiveName(t, version));
  expect(fs.readdirSync(out).sort()).toEqual(
    [
      ...archives,
      "SHA256SUMS",
      `pulumi-bitrix24-biconnector-${version}.tgz`,
      `pulumi_bitrix24_biconnector-${version}-py3-none-any.whl`,
      `pulumi_bitrix24_biconnector-${version}.tar.gz`,
    ].sort(),
  );
  expect(releaseLog).toContain("sdk/go builds and vets");
  const sums = await execOrFail("sha256sum", ["-c", "SHA256SUMS"], out);
  expect(sums.trim().split("\n")).toHaveLength(fs.readdirSync(out).length - 1);
  expect(sums).not.toMatch(/FAILED/);
  for (const t of release.TARGETS.filter((t) => t.node)) {
    const archive = release.archiveName(t, version);
    expect(await entries(archive)).toEqual([t.exe, "node-LICENSE"].sort());
    const exe = await executable(archive, t.exe);
    expect(binaryKind(exe)).toBe(`${t.os}-${t.arch}`);
    // The blob went in (postject flips the fuse) and holds the plugin's code.
    expect(exe.includes(`${sea.SEA_FUSE}:1`)).toBe(true);
    expect(exe.includes("no engine address given")).toBe(true);
  }
}, 120_000);

test("darwin-arm64's launcher runs the bundled plugin on the node on PATH, and without one says what it needs", async () => {
  const t = release.TARGETS.find((x) => !x.node);
  if (!t) throw new Error("every target has a single executable: this test has nothing to test");
  const archive = release.archiveName(t, version);
  expect(await entries(archive)).toEqual([t.exe, `${t.exe}.js`].sort());
  const dir = tempDir("b24-launcher-");
  await execOrFail("tar", ["-xzf", path.join(out, archive), "-C", dir], dir);
  const launch = (PATH: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = execFile(path.join(dir, t.exe), [], { env: { PATH } });
      let text = "";
      const seen = (s: string) => {
        text += s;
        if (/^\d+$/m.test(text)) child.kill();
      };
      child.stdout?.on("data", seen);
      child.stderr?.on("data", seen);
      const timer = setTimeout(() => child.kill(), 20_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, out: text });
      });
    });
  // A Node 24 (the one the release downloaded for linux-amd64), and this machine's when older.
  const linux = release.TARGETS.find((x) => x.os === "linux" && x.arch === "amd64");
  const node24 = path.join(
    sea.nodePackage(linux?.node as string, path.join(ROOT, "build", "release-cache")),
    "bin",
  );
  const withNode = await launch(`${node24}:/usr/bin:/bin`);
  expect(withNode.out).toMatch(/^\d+$/m); // the port line of a plugin
  if (Number(process.versions.node.split(".")[0]) < 22) {
    const old = await launch(`${path.dirname(process.execPath)}:/usr/bin:/bin`);
    expect(old.code).toBe(1);
    expect(old.out).toContain(`found v${process.versions.node}`);
  }
  const withoutNode = await launch(path.join(dir, "empty"));
  expect(withoutNode.code).toBe(1);
  expect(withoutNode.out).toContain("needs node >= 22 on PATH for darwin-arm64");
}, 60_000);

test("the linux-amd64 single executable, with no node on PATH, serves a YAML and a Python program through up, refresh and destroy", async () => {
  const { emu } = cli;
  const d = deployment();
  const archive = path.join(out, LINUX);
  ok(
    await runWith(d, d.workDir, CLI, [
      "plugin",
      "install",
      "resource",
      "bitrix24",
      version,
      "--file",
      archive,
    ]),
    "plugin install",
  );
  const yamlDir = path.join(d.workDir, "yaml");
  fs.mkdirSync(yamlDir);
  writeYamlConnector(yamlDir);
  const pulumi = async (args: string[]) =>
    ok(await runWith(d, yamlDir, CLI, args, oauthVars(emu)), `pulumi ${args.join(" ")}`);
  await emulatorStack(emu, path.join(d.workDir, "tokens.json"), pulumi);
  const connectors = emu.state.connectors.size;
  for (const command of ["up", "refresh", "destroy"]) {
    const said = await pulumi([command, "--yes", "--non-interactive", "--skip-preview"]);
    expect(said).not.toContain("from $PATH");
    expect(emu.state.connectors.size).toBe(connectors + (command === "destroy" ? 0 : 1));
  }
  const pyDir = path.join(d.workDir, "python");
  fs.mkdirSync(pyDir);
  const sources = emu.state.sources.size;
  ok(await pythonQuickstart(d, pyDir, "up", quickstartConfig(d)), "python up");
  expect([emu.state.connectors.size, emu.state.sources.size]).toEqual([
    connectors + 1,
    sources + 1,
  ]);
  ok(await pythonQuickstart(d, pyDir, "refresh", {}), "python refresh");
  ok(await pythonQuickstart(d, pyDir, "destroy", {}), "python destroy");
  expect([emu.state.connectors.size, emu.state.sources.size]).toEqual([connectors, sources]);
}, 900_000);

test("the CLI installs the plugin itself from the SDK's pluginDownloadURL: fresh PULUMI_HOME, nothing on PATH", async () => {
  const { emu } = cli;
  const d = downloadingDeployment();
  host.mode = "serve";
  const asked = host.requests.length;
  const connectors = emu.state.connectors.size;
  ok(await pythonQuickstart(d, d.workDir, "up", quickstartConfig(d)), "python up");
  expect(host.requests.slice(asked)).toEqual([`/releases/${LINUX}`]);
  expect(emu.state.connectors.size).toBe(connectors + 1);
  const listed = ok(await runWith(d, d.workDir, CLI, ["plugin", "ls"]), "plugin ls");
  expect(listed).toMatch(new RegExp(`bitrix24\\s+resource\\s+${version}`));
  ok(await pythonQuickstart(d, d.workDir, "destroy", {}), "python destroy");
  expect(host.requests.slice(asked)).toHaveLength(1); // installed once, then used
  expect(emu.state.connectors.size).toBe(connectors);
}, 900_000);

test("YAML, which has no SDK to name the host: `pulumi plugin install … --server <release host>` (README's command), then up and destroy", async () => {
  const { emu } = cli;
  const d = downloadingDeployment();
  host.mode = "serve";
  const asked = host.requests.length;
  const said = ok(
    await runWith(d, d.workDir, CLI, [
      "plugin",
      "install",
      "resource",
      "bitrix24",
      version,
      "--server",
      host.url,
    ]),
    "plugin install --server",
  );
  expect(said).toMatch(/installing|installed/i);
  expect(host.requests.slice(asked)).toEqual([`/releases/${LINUX}`]);
  writeYamlConnector(d.workDir);
  const pulumi = async (args: string[]) =>
    ok(await runWith(d, d.workDir, CLI, args, oauthVars(emu)), `pulumi ${args.join(" ")}`);
  await emulatorStack(emu, path.join(d.workDir, "tokens.json"), pulumi);
  const connectors = emu.state.connectors.size;
  await pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
  expect(emu.state.connectors.size).toBe(connectors + 1);
  await pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
  expect(emu.state.connectors.size).toBe(connectors);
  expect(host.requests.slice(asked)).toHaveLength(1);
}, 600_000);

test.each([
  // The CLI's words (v3.276.0); a download that breaks off is retried, 5 times in all.
  ["404", /Could not automatically download .*'pulumi-resource-bitrix24'.*404 HTTP error/],
  [
    "truncated",
    /Could not automatically download .*'pulumi-resource-bitrix24'.*failed all \d+ attempts/,
  ],
] as const)(
  "a release host that answers %s: the CLI's error names the plugin, nothing is installed, no request reaches the portal",
  async (mode, why) => {
    const { emu } = cli;
    const d = downloadingDeployment();
    host.mode = mode;
    const asked = host.requests.length;
    const calls = emu.calls.length;
    const r = await pythonQuickstart(d, d.workDir, "up", quickstartConfig(d));
    host.mode = "serve";
    expect(r.ok).toBe(false);
    expect(host.requests.slice(asked)).toContain(`/releases/${LINUX}`);
    expect(r.output).toMatch(why);
    expect(emu.calls.length).toBe(calls);
    const listed = ok(await runWith(d, d.workDir, CLI, ["plugin", "ls"]), "plugin ls");
    expect(listed).not.toMatch(/bitrix24\s+resource/);
  },
  600_000,
);
