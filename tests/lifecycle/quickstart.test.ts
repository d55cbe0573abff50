import * as fs from "fs";
import * as path from "path";
import { Emulator } from "bitrix24-biconnector-emulator";
import { settingsAsEnv } from "../../provider/core/client/settings";
import { tempDir } from "../helpers/portal";
import {
  EXAMPLES,
  credentialValues,
  credentialsConfig,
  lifecycleEmulator,
  standIn,
  writeOps,
} from "./helpers";
import { REPO, packRepo, programFrom } from "./program";

const PROJECT = "bitrix24-quickstart";
const QUICKSTART = path.join(EXAMPLES, "quickstart");

describe("lifecycle through the real Pulumi runtime: examples/quickstart", () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await lifecycleEmulator();
  });
  afterEach(() => emu.close());

  describe("installed from the npm pack tarball, as a user installs it", () => {
    let program: string;
    beforeAll(() => {
      program = programFrom(QUICKSTART, "packed", packRepo());
    });

    test("up, refresh without drift, destroy; the state holds the shim and no credential", async () => {
      const config = {
        ...credentialsConfig(emu, path.join(tempDir("b24-tokens-"), "tokens.json")),
        [`${PROJECT}:title`]: { value: "Sales from config" },
      };
      const engine = standIn(program, PROJECT, config);
      const up = await engine.up();
      expect(up.errors).toEqual([]);
      const id = up.outputs.connectorId as string;
      expect(emu.state.connectors.get(Number(id))?.fields.title).toBe("Sales from config");
      expect(up.outputs.createdAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

      const refresh = await engine.refresh();
      expect(refresh.steps.map((s) => s.op)).toEqual(["same"]);
      const again = await engine.up();
      expect(again.steps.map((s) => s.op)).toEqual(["same"]);
      expect(writeOps(again.calls)).toEqual([]);

      const resource = engine.state().resources[0];
      const shim = String(resource.inputs.__provider);
      // Installed under node_modules, the shim's own module is named, not written out (issue 38:
      // a few hundred bytes of state per resource instead of ~2 KB, twice).
      expect(shim).toContain(
        'require("pulumi-bitrix24-biconnector/dist/provider/dynamic/shims/connector.js")',
      );
      expect(shim.length).toBeLessThan(600);
      expect(shim).not.toContain("biconnector.connector"); // no provider logic in state

      // An expired token during destroy: refreshed, rotated, still nothing secret in state or logs.
      emu.oauth.expireAll();
      expect((await engine.destroy()).ok).toBe(true);
      expect(emu.state.connectors.size).toBe(0);
      const text = fs.readFileSync(engine.opts.stateFile, "utf8") + engine.logs.join("\n");
      for (const secret of credentialValues(emu)) expect(text).not.toContain(secret);
    });

    test("a bug fixed in the installed package reaches refresh and destroy of an existing stack without a new up", async () => {
      const engine = standIn(
        program,
        PROJECT,
        credentialsConfig(emu, path.join(tempDir("b24-tokens-"), "tokens.json")),
      );
      expect((await engine.up()).errors).toEqual([]);
      const shimBefore = engine.state().resources[0].inputs.__provider;

      // Release N has a bug in read…
      const file = path.join(
        program,
        "node_modules",
        "pulumi-bitrix24-biconnector",
        "dist",
        "provider",
        "core",
        "lifecycle",
        "objectProvider.js",
      );
      const good = fs.readFileSync(file, "utf8");
      const broken = good.replace(
        /async read\(id, props\) \{/,
        'async read(id, props) { throw new Error("BUG-IN-RELEASE-N");',
      );
      expect(broken).not.toBe(good);
      fs.writeFileSync(file, broken);
      const failed = await engine.refresh();
      expect(failed.ok).toBe(false);
      expect(failed.errors.join("\n")).toContain("BUG-IN-RELEASE-N");

      // …release N+1 fixes it: the existing stack's refresh and destroy run the fix at once.
      fs.writeFileSync(file, good);
      const fixed = await engine.refresh();
      expect(fixed.ok).toBe(true);
      expect(fixed.steps.map((s) => s.op)).toEqual(["same"]);
      expect(engine.state().resources[0].inputs.__provider).toBe(shimBefore);
      expect((await engine.destroy()).ok).toBe(true);
      expect(emu.state.connectors.size).toBe(0);
    });
  });

  test("the repository root is a runnable project: Pulumi.yaml's main runs from the checkout", async () => {
    const yaml = fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8");
    const main = /^main:\s*(\S+)\s*$/m.exec(yaml)?.[1];
    const project = /^name:\s*(\S+)\s*$/m.exec(yaml)?.[1] as string;
    expect(main).toBeDefined();
    const engine = standIn(
      path.join(REPO, main as string),
      project,
      credentialsConfig(emu, path.join(tempDir("b24-tokens-"), "tokens.json")),
    );
    const up = await engine.up();
    expect(up.errors).toEqual([]);
    expect(emu.state.connectors.size).toBe(1);
    expect((await engine.destroy()).ok).toBe(true);
  });

  test("credentials from the environment instead of stack config", async () => {
    const program = programFrom(QUICKSTART);
    const env = settingsAsEnv(
      emu.providerSettings(path.join(tempDir("b24-tokens-"), "tokens.json")),
    );
    const engine = standIn(program, PROJECT, {}, env);
    const up = await engine.up();
    expect(up.errors).toEqual([]);
    expect(emu.state.connectors.size).toBe(1);
    expect((await engine.destroy()).ok).toBe(true);
    const text = fs.readFileSync(engine.opts.stateFile, "utf8") + engine.logs.join("\n");
    for (const secret of credentialValues(emu)) expect(text).not.toContain(secret);
  });

  test("no credentials: the deployment fails with one clear error listing what to set", async () => {
    const engine = standIn(programFrom(QUICKSTART), PROJECT, {});
    const up = await engine.up();
    expect(up.ok).toBe(false);
    expect(up.errors.join("\n")).toMatch(/missing: bitrix24:portalUrl/);
    expect(emu.calls).toEqual([]);
  });

  test("invalid input fails at preview with the property path, before any API call", async () => {
    const config = {
      ...credentialsConfig(emu, path.join(tempDir("b24-tokens-"), "tokens.json")),
      [`${PROJECT}:endpointBaseUrl`]: { value: "ftp://files.example.com" },
    };
    const preview = await standIn(programFrom(QUICKSTART), PROJECT, config).preview();
    expect(preview.ok).toBe(false);
    expect(preview.errors.join("\n")).toMatch(
      /property urlCheck value has a problem: must be an http\(s\) URL/,
    );
    expect(emu.calls).toEqual([]);
  });
});
