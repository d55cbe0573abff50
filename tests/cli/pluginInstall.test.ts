import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";
import { packRepo } from "../lifecycle/program";
import { CLI, Deployment, ROOT, cliMissing, deployment, runIn } from "./cliRun";
import { emulatorStack, oauthVars, writeYamlConnector } from "./yamlConnector";

/**
 * The native plugin found the ways users install it, each alone (no other `pulumi-resource-
 * bitrix24` on PATH or in the plugin cache), by the real CLI running a YAML program up and down:
 * the bin of a global `npm install -g` of the packed package; the archive of
 * `npm run plugin:package` installed with `pulumi plugin install --file`; the checkout's
 * `pulumi-plugin/` folder named in the program's `plugins:` section.
 */
let emu: Emulator;
let tarball: string;
const missing = cliMissing();

beforeAll(async () => {
  if (missing) throw new Error(missing);
  emu = await startEmulator({ rateLimit: false });
  tarball = packRepo();
}, 300_000);
afterAll(() => emu?.close());

/** A project of one connector (and `extra` lines) with its stack configured for the emulator. */
async function project(extra = ""): Promise<{
  d: Deployment;
  pulumi: (args: string[], morePath?: string[]) => Promise<string>;
}> {
  const d = deployment();
  writeYamlConnector(d.workDir, extra);
  const vars = oauthVars(emu);
  const pulumi = async (args: string[], morePath: string[] = []) => {
    const r = await runIn(d, d.workDir, CLI, args, { vars, morePath });
    if (!r.ok) throw new Error(`pulumi ${args.join(" ")}:\n${r.output.slice(-3000)}`);
    return r.output;
  };
  await emulatorStack(emu, path.join(d.workDir, "tokens.json"), pulumi);
  return { d, pulumi };
}

/** up creates the connector on the portal, destroy deletes it; returns what up printed. */
async function upAndDown(pulumi: (args: string[]) => Promise<string>): Promise<string> {
  const before = emu.state.connectors.size;
  const up = await pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
  expect(emu.state.connectors.size).toBe(before + 1);
  await pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
  expect(emu.state.connectors.size).toBe(before);
  return up;
}

test("npm install -g of the packed package: the CLI finds the bin on PATH", async () => {
  const prefix = tempDir("b24-global-");
  const r = await runIn(deployment(), ROOT, "npm", [
    "install",
    "-g",
    "--prefix",
    prefix,
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    tarball,
  ]);
  if (!r.ok) throw new Error(r.output);
  const bin = path.join(prefix, "bin");
  expect(fs.existsSync(path.join(bin, "pulumi-resource-bitrix24"))).toBe(true);
  const { pulumi } = await project();
  const up = await upAndDown((args) => pulumi(args, [bin]));
  expect(up).toContain(`using pulumi-resource-bitrix24 from $PATH at ${bin}`);
}, 600_000);

test("npm run plugin:package, then pulumi plugin install --file: in `pulumi plugin ls` with the package's version, and it serves the program", async () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const packaged = await runIn(deployment(), ROOT, process.execPath, [
    path.join(ROOT, "scripts", "plugin-package.js"),
    "--tarball",
    tarball,
  ]);
  if (!packaged.ok) throw new Error(packaged.output);
  const archive = packaged.output.trim().split("\n").pop() as string;
  expect(archive).toMatch(new RegExp(`pulumi-resource-bitrix24-v${version}-.*\\.tar\\.gz$`));
  const { pulumi } = await project();
  await pulumi(["plugin", "install", "resource", "bitrix24", version, "--file", archive]);
  expect(await pulumi(["plugin", "ls"])).toMatch(new RegExp(`bitrix24\\s+resource\\s+${version}`));
  const up = await upAndDown(pulumi);
  expect(up).not.toContain("from $PATH");
}, 600_000);

test("the checkout's pulumi-plugin/ folder named in the program's `plugins:` section", async () => {
  const folder = path.join(ROOT, "pulumi-plugin");
  const { pulumi } = await project(
    `plugins:\n  providers:\n    - name: bitrix24\n      path: ${folder}\n`,
  );
  const up = await upAndDown(pulumi);
  expect(up).not.toContain("from $PATH");
}, 600_000);
