import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { main } from "../../provider/cli";
import { SeededPortal, adoptEnv, printedSettings, seedAdoptPortal } from "../helpers/adoptPortal";
import { testIo } from "../helpers/cliIo";
import { clientWith, oauthSettings, tempDir } from "../helpers/portal";
import {
  CLI,
  ConfigValues,
  ROOT,
  childOptions,
  Deployment,
  cliMissing,
  deployment,
  emulatorAndPlugin,
  emulatorConfig,
  expectNoPlaintext,
  filesUnder,
  readmeBlock,
  expectOk,
  runIn,
  runInline,
  whatPulumiKeeps,
} from "./cliRun";

/**
 * Issue 34's proof, under the real CLI: the TypeScript project `adopt` writes takes every object
 * over on its first `up` with no write reaching the portal, and then previews with no changes.
 * Nothing Pulumi keeps holds a source setting in plaintext.
 */
const missing = cliMissing();
let emu: Emulator;
let seeded: SeededPortal;
let d: Deployment;
let out: string;
let printed: string;
const secretConfig: ConfigValues = {};

beforeAll(async () => {
  if (missing) throw new Error(missing);
  emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true });
  const store = path.join(tempDir("b24-adopt-cli-"), "tokens.json");
  seeded = await seedAdoptPortal(emu, clientWith(oauthSettings(emu, store)));
  out = path.join(tempDir("b24-adopt-out-"), "adopted");
  const t = testIo(adoptEnv(emu, store));
  const code = await main(["adopt", "--out", out], t.io);
  printed = [...t.out, ...t.err].join("\n");
  if (code !== 0) throw new Error(`adopt failed: ${printed}`);
  const program = fs.readFileSync(path.join(out, "index.ts"), "utf8");
  for (const { key, value } of printedSettings(t.out, emu, program))
    secretConfig[key] = { value, secret: true };
  expect(Object.keys(secretConfig)).toHaveLength(15);
  d = deployment();
}, 120_000);
afterAll(() => emu?.close());

test("up takes every object over and writes nothing to the portal; preview then shows no change", async () => {
  const writes = emu.writeCalls().length;
  const config: ConfigValues = {
    ...emulatorConfig(emu, `${d.workDir}/tokens.json`),
    "bitrix24:allowPrivateEndpoints": { value: "true" },
    ...secretConfig,
  };
  const up = await runInline(d, out, "up", config);
  expectOk(up);
  expect(up.summary).toEqual({ create: 17 }); // 16 objects and the stack
  expect(emu.writeCalls()).toHaveLength(writes);
  expect(emu.state.connectors.size + emu.state.sources.size + emu.state.datasets.size).toBe(16);

  const preview = await runInline(d, out, "preview");
  expectOk(preview);
  expect(preview.summary).toEqual({ same: 17 });
  expect(emu.writeCalls()).toHaveLength(writes);

  const kept = await whatPulumiKeeps(d);
  expectNoPlaintext([...kept, { file: "adopt's output", text: printed }], seeded.secrets);
});

describe("--language yaml: the native plugin, each resource imported", () => {
  const cli = emulatorAndPlugin();

  test("up imports every object with no write to the portal; preview then shows no change", async () => {
    const store = path.join(tempDir("b24-adopt-yaml-"), "tokens.json");
    const portal = await seedAdoptPortal(cli.emu, clientWith(oauthSettings(cli.emu, store)));
    const yd = deployment();
    const dir = path.join(yd.workDir, "adopted");
    // --stack: adopt creates the stack and sets each source setting in it, encrypted, through the
    // CLI on PATH (with this deployment's backend and passphrase).
    const env = { ...adoptEnv(cli.emu, store), ...childOptions(yd, dir, 0).env };
    const t = testIo(env);
    const code = await main(["adopt", "--out", dir, "--language", "yaml", "--stack", "dev"], t.io);
    const shown = [...t.out, ...t.err].join("\n");
    if (code !== 0) throw new Error(`adopt failed: ${shown}`);
    expect(fs.readdirSync(dir).sort()).toEqual([
      ".bitrix24-adopt.json",
      "Pulumi.dev.yaml",
      "Pulumi.yaml",
    ]);

    const s = cli.emu.providerSettings("");
    const pair = cli.emu.oauth.issue(s.clientId);
    const vars = {
      BITRIX24_OAUTH_URL: s.oauthUrl,
      BITRIX24_ALLOW_PRIVATE_ENDPOINTS: "true",
      BITRIX24_TOKEN_STORE: path.join(yd.workDir, "tokens.json"),
    };
    const pulumi = async (args: string[]) => {
      const r = await runIn(yd, dir, CLI, args, { vars, morePath: [cli.pluginBin] });
      if (!r.ok) throw new Error(`pulumi ${args.join(" ")}:\n${r.output.slice(-4000)}`);
      return r;
    };
    expect(shown).not.toMatch(/pulumi config set --secret source/);
    const stackFile = fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8");
    expect(stackFile.match(/secure: /g)).toHaveLength(15);
    for (const args of [
      ["bitrix24:portalUrl", s.portalUrl],
      ["bitrix24:clientId", s.clientId],
      ["--secret", "bitrix24:clientSecret", s.clientSecret],
      ["--secret", "bitrix24:refreshToken", pair.refreshToken],
    ])
      await pulumi(["config", "set", ...args]);
    const writes = cli.emu.writeCalls().length;
    const up = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(up.output).toMatch(/16 imported/);
    expect(cli.emu.writeCalls()).toHaveLength(writes);
    await pulumi(["preview", "--expect-no-changes"]);
    expect(cli.emu.writeCalls()).toHaveLength(writes);
    const exported = await pulumi(["stack", "export"]);
    expectNoPlaintext(
      [
        ...filesUnder(yd.state),
        ...filesUnder(dir),
        { file: "pulumi stack export", text: exported.output },
        { file: "adopt's output", text: shown },
      ],
      portal.secrets,
    );
  });
});

describe("README's adopt block, as written", () => {
  const cli = emulatorAndPlugin();

  test("from a folder where the package is installed: adopt, configure, up imports, preview shows no change", async () => {
    const store = path.join(tempDir("b24-adopt-readme-"), "tokens.json");
    const portal = await seedAdoptPortal(cli.emu, clientWith(oauthSettings(cli.emu, store)));
    const yd = deployment();
    // The folder a user installed the package in: its bin where npx finds it.
    const folder = path.join(yd.workDir, "mine");
    fs.mkdirSync(path.join(folder, "node_modules", ".bin"), { recursive: true });
    fs.writeFileSync(path.join(folder, "package.json"), '{"name":"mine","private":true}\n');
    const bin = path.join(folder, "node_modules", ".bin", "bitrix24-biconnector");
    const cliMain = path.join(ROOT, "dist", "provider", "cli", "index.js");
    fs.writeFileSync(bin, `#!/bin/sh\nexec node ${JSON.stringify(cliMain)} "$@"\n`, {
      mode: 0o755,
    });
    const s = cli.emu.providerSettings(store);
    const pair = cli.emu.oauth.issue(s.clientId);
    const vars = {
      ...(adoptEnv(cli.emu, store) as Record<string, string>),
      BITRIX24_ALLOW_PRIVATE_ENDPOINTS: "true",
      PORTAL_URL: s.portalUrl,
      CLIENT_ID: s.clientId,
      CLIENT_SECRET: s.clientSecret,
      REFRESH_TOKEN: pair.refreshToken,
    };
    const block = readmeBlock("adopt-yaml");
    const writes = cli.emu.writeCalls().length;
    const ran = await runIn(yd, folder, "bash", ["-euo", "pipefail", "-c", block], {
      vars,
      morePath: [cli.pluginBin],
      timeoutMs: 300_000,
    });
    if (!ran.ok) throw new Error(ran.output.slice(-4000));
    expect(ran.output).toMatch(/16 imported/);
    expect(cli.emu.writeCalls()).toHaveLength(writes);
    expectNoPlaintext(
      [
        ...filesUnder(yd.state),
        ...filesUnder(path.join(folder, "adopted")),
        { file: "output", text: ran.output },
      ],
      portal.secrets,
    );
  });
});
