import * as fs from "fs";
import * as path from "path";
import { Emulator } from "bitrix24-biconnector-emulator";
import { packageSchemaJson } from "../../provider/plugin/packageSchema";
import { sampleConnector, tempDir } from "../helpers/portal";
import { credentialValues, lifecycleEmulator } from "../lifecycle/helpers";
import { installPacked, packRepo, REPO } from "../lifecycle/program";
import { JsObject, SDK_DIR, provproto } from "../lifecycle/engine/sdk";
import { isSecret, unwrap, wrap } from "../lifecycle/engine/secrets";
import { PluginProcess, engineStub } from "./pluginProcess";

/**
 * The native plugin as the engine runs it: the `pulumi-resource-bitrix24` bin of the package
 * installed from its `npm pack` tarball, started with the engine address, driven over gRPC with
 * the SDK's generated client against the emulator. One plugin process for the whole file; the
 * tests run in order and build on each other (connector → source → dataset → deletes).
 */
const CONNECTOR = "bitrix24:index:Connector";
const SOURCE = "bitrix24:index:Source";
const DATASET = "bitrix24:index:Dataset";

/** Strings in an answer that are not inside a secret wrapper. */
function plainStrings(v: unknown, out: string[] = []): string[] {
  if (isSecret(v as JsObject)) return out;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => plainStrings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => plainStrings(x, out));
  return out;
}

describe("native plugin pulumi-resource-bitrix24, installed from the npm pack tarball, over gRPC", () => {
  let emu: Emulator;
  let plugin: PluginProcess;
  let engine: Awaited<ReturnType<typeof engineStub>>;
  let userDir: string;
  const started = Date.now();

  beforeAll(async () => {
    const dir = (userDir = tempDir("b24-plugin-user-"));
    installPacked(dir, packRepo());
    emu = await lifecycleEmulator();
    engine = await engineStub();
    // Part of the config the way the engine gives a plugin its package config (bare keys).
    const pulumiConfig = {
      tokenStore: path.join(tempDir("b24-tokens-"), "tokens.json"),
      retryBaseDelayMs: "20",
      // The emulator's sample connector is on loopback: a private endpoint, refused otherwise.
      allowPrivateEndpoints: "true",
    };
    plugin = await PluginProcess.start(
      path.join(dir, "node_modules", ".bin", "pulumi-resource-bitrix24"),
      ["--logtostderr", "-v=9", engine.addr],
      {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PULUMI_CONFIG: JSON.stringify(pulumiConfig),
      },
      dir,
    );
  }, 240_000);

  afterAll(async () => {
    await plugin?.stop();
    engine?.stop();
    await emu?.close();
    // Wall time of the whole file, for the report.
    process.stdout.write(`plugin.test.ts: ${Math.round((Date.now() - started) / 1000)} s\n`);
  });

  test("GetSchema serves the generated schema, the same as the committed schema.json", async () => {
    const served = await plugin.getSchema();
    expect(served).toBe(packageSchemaJson());
    expect(served).toBe(fs.readFileSync(path.join(REPO, "schema.json"), "utf8"));
    // …and ships in the package, for `pulumi package add <path to schema.json>`.
    const shipped = path.join(
      userDir,
      "node_modules",
      "pulumi-bitrix24-biconnector",
      "schema.json",
    );
    expect(fs.readFileSync(shipped, "utf8")).toBe(served);
    const schema = JSON.parse(served) as { name: string; version: string };
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
    expect(schema.name).toBe("bitrix24");
    expect(schema.version).toBe(pkg.version);
  });

  test("pulumi-plugin/ (PulumiPlugin.yaml), run as the Node.js language host runs a plugin folder, serves the same schema", async () => {
    // The host runs `node <sdk>/cmd/run-plugin <folder> <engineAddr>`, which requires the folder.
    const folder = await PluginProcess.start(
      process.execPath,
      [path.join(SDK_DIR, "cmd", "run-plugin"), path.join(REPO, "pulumi-plugin"), engine.addr],
      { PATH: process.env.PATH, HOME: process.env.HOME },
      tempDir("b24-plugin-folder-"),
    );
    try {
      expect(await folder.getSchema()).toBe(packageSchemaJson());
    } finally {
      await folder.stop();
    }
  });

  test("bundled into one file (esbuild), it runs from a folder without node_modules and serves the same schema, which says where the CLI downloads it (issue 36)", async () => {
    // What a single executable carries: the plugin and everything it imports, in one file.
    const folder = tempDir("b24-plugin-bundle-");
    const bundle = path.join(folder, "pulumi-resource-bitrix24.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain Node script of the repo
    const { bundlePlugin } = require("../../scripts/bundle-plugin.js") as {
      bundlePlugin(outfile: string): number;
    };
    bundlePlugin(bundle);
    const bundled = await PluginProcess.start(
      process.execPath,
      [bundle, engine.addr],
      { PATH: process.env.PATH, HOME: process.env.HOME },
      folder,
    );
    try {
      const served = await bundled.getSchema();
      expect(served).toBe(packageSchemaJson());
      const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
      const repo = String(pkg.repository.url).replace(/^git\+https:\/\/github\.com\/|\.git$/g, "");
      expect(JSON.parse(served).pluginDownloadURL).toBe(`github://api.github.com/${repo}`);
    } finally {
      await bundled.stop();
    }
  });

  test("CheckConfig names an unknown key; Configure takes variables and wrapped args", async () => {
    const bad = await plugin.checkConfig({ portalURL: emu.portalUrl, version: "0.1.0" });
    expect(bad.failures).toEqual([
      {
        property: "portalURL",
        reason: expect.stringMatching(/unknown bitrix24 setting; allowed: .*portalUrl/),
      },
    ]);
    const s = emu.providerSettings();
    const ok = await plugin.checkConfig({
      portalUrl: s.portalUrl as string,
      accessToken: wrap(s.accessToken as string),
    });
    expect(ok.failures).toEqual([]);
    expect(isSecret(ok.inputs.accessToken)).toBe(true);
    // CheckConfig echoes the engine's own config, wrapped secrets included: the one answer allowed
    // to carry a credential (inside its secret wrapper). Every other answer is searched below.
    plugin.wire.pop();
    // Value settings are typed in the schema: a number or boolean passes as itself or as text; a
    // value of the wrong kind fails at preview naming the setting and what is allowed.
    const typed = await plugin.checkConfig({
      rateLimitShare: 0.25,
      rateLimitRps: "3",
      allowPrivateEndpoints: true,
    });
    expect(typed.failures).toEqual([]);
    const wrong = await plugin.checkConfig({
      rateLimitShare: 2,
      allowPrivateEndpoints: "maybe",
      portalUrl: "http://portal.example.com",
    });
    expect(wrong.failures).toEqual([
      {
        property: "rateLimitShare",
        reason: expect.stringMatching(/above 0 and at most 1, got "2"/),
      },
      {
        property: "allowPrivateEndpoints",
        reason: expect.stringMatching(/true or false, got "maybe"/),
      },
      {
        property: "portalUrl",
        reason: expect.stringMatching(/plain http:\/\/ URL.*allowInsecureHttp/),
      },
    ]);

    // Non-secret values in `variables` (bitrix24:config:<name>), every value in `args`, secrets wrapped.
    const answer = await plugin.configure(
      {
        "bitrix24:config:portalUrl": s.portalUrl as string,
        "bitrix24:config:oauthUrl": s.oauthUrl as string,
        "bitrix24:config:clientId": s.clientId as string,
      },
      {
        portalUrl: s.portalUrl as string,
        clientId: s.clientId as string,
        clientSecret: wrap(s.clientSecret as string),
        accessToken: wrap(s.accessToken as string),
        refreshToken: wrap(s.refreshToken as string),
        version: "0.1.0",
      },
    );
    expect(answer).toMatchObject({ acceptsecrets: true, supportspreview: true });
    // Handshake: a plugin that answers it is assumed to take Create/Update with preview=true.
    const hs = await plugin.rpc<InstanceType<typeof provproto.ProviderHandshakeResponse>>(
      "handshake",
      new provproto.ProviderHandshakeRequest(),
    );
    expect(hs.getAcceptSecrets()).toBe(true);
    expect(emu.calls).toEqual([]);
  });

  describe("Connector", () => {
    let declared: JsObject;
    let id: string;
    let outputs: JsObject;

    test("Check: a bad input fails with its property path and makes no API call", async () => {
      const r = await plugin.check(CONNECTOR, {
        ...sampleConnector(emu, "Sales"),
        urlCheck: "ftp://x",
      });
      expect(r.failures).toEqual([
        { property: "urlCheck", reason: expect.stringContaining("must be an http(s) URL") },
      ]);
      expect(emu.calls).toEqual([]);
    });

    test("Check, preview Create (no write), Create, Diff without changes", async () => {
      const checked = await plugin.check(CONNECTOR, sampleConnector(emu, "Sales"));
      expect(checked.failures).toEqual([]);
      declared = checked.inputs;
      expect(declared).toMatchObject({ sort: 100, description: "" }); // API defaults applied

      const preview = await plugin.create(CONNECTOR, declared, true);
      expect(preview.id).toBe("");
      expect(emu.writeCalls()).toEqual([]);

      ({ id, outputs } = await plugin.create(CONNECTOR, declared));
      expect(id).toMatch(/^\d+$/);
      expect(emu.state.connectors.get(Number(id))?.fields.title).toBe("Sales");
      expect(outputs.dateCreate).toMatch(/^\d{4}-/);
      expect((await plugin.diff(CONNECTOR, id, outputs, declared)).changes).toBe("none");
    });

    test("Read sees drift; Diff shows it; Update in place repairs it", async () => {
      (emu.state.connectors.get(Number(id)) as { fields: JsObject }).fields.title =
        "Renamed in the portal";
      const read = await plugin.read(CONNECTOR, id, outputs, declared);
      expect(read.outputs.title).toBe("Renamed in the portal");
      const d = await plugin.diff(CONNECTOR, id, read.outputs, declared);
      expect(d).toEqual({ changes: "some", replaces: [], dbr: false });

      const previewOuts = await plugin.update(CONNECTOR, id, read.outputs, declared, true);
      expect(previewOuts.title).toBe("Sales");
      expect(emu.state.connectors.get(Number(id))?.fields.title).toBe("Renamed in the portal");

      outputs = await plugin.update(CONNECTOR, id, read.outputs, declared);
      expect(outputs.title).toBe("Sales");
      expect(emu.state.connectors.get(Number(id))?.fields.title).toBe("Sales");
    });

    // The import-shaped Read of a connector is the real CLI's now (tests/cli/yaml.test.ts: pulumi
    // import of each kind, its generated code previewing with no changes).

    test("Invoke getConnector and listConnectors; an unknown id is a failure naming `id`", async () => {
      const got = await plugin.invoke("bitrix24:index:getConnector", { id });
      expect(got.failures).toEqual([]);
      expect(got.result).toMatchObject({ id, title: "Sales", sort: 100 });
      const listed = await plugin.invoke("bitrix24:index:listConnectors", {
        filter: { "%title": "Sal" },
      });
      expect((listed.result.items as JsObject[]).map((c) => c.id)).toEqual([id]);
      const missing = await plugin.invoke("bitrix24:index:getConnector", { id: "999999" });
      expect(missing.failures).toEqual([
        { property: "id", reason: "no connector 999999 of this application on the portal" },
      ]);
    });

    describe("Source (settings secret in every answer)", () => {
      let source: { id: string; outputs: JsObject; declared: JsObject };

      test("Check, Create, Read, import-shaped Read, Update, Diff replacing on connectorId", async () => {
        const news = {
          connectorId: id, // a string, as Pulumi ids are
          title: "Warehouse",
          settings: wrap({ ...emu.sampleConnectorCredentials }),
        };
        const bad = await plugin.check(SOURCE, { ...news, settings: wrap({ pasword: "x" }) });
        expect(bad.failures.map((f) => f.property)).toEqual(["settings.pasword"]);
        const checked = await plugin.check(SOURCE, news);
        expect(checked.failures).toEqual([]);
        expect(checked.inputs.connectorId).toBe(id);
        expect(isSecret(checked.inputs.settings)).toBe(true);

        const created = await plugin.create(SOURCE, checked.inputs);
        source = { ...created, declared: checked.inputs };
        expect(isSecret(created.outputs.settings)).toBe(true);
        expect(unwrap(created.outputs.settings)).toEqual(emu.sampleConnectorCredentials);
        expect(created.outputs.connectorId).toBe(id);

        const read = await plugin.read(SOURCE, created.id, created.outputs, checked.inputs);
        expect(isSecret(read.outputs.settings)).toBe(true);
        expect(isSecret((read.inputs as JsObject).settings)).toBe(true);
        expect((await plugin.diff(SOURCE, created.id, read.outputs, checked.inputs)).changes).toBe(
          "none",
        );

        const imported = await plugin.read(SOURCE, created.id);
        expect(isSecret(imported.outputs.settings)).toBe(true);
        expect(isSecret((imported.inputs as JsObject).settings)).toBe(true);
        const rechecked = await plugin.check(SOURCE, imported.inputs as JsObject);
        expect(rechecked.failures).toEqual([]);
        expect(
          (await plugin.diff(SOURCE, created.id, imported.outputs, rechecked.inputs)).changes,
        ).toBe("none");

        const renamed = { ...checked.inputs, title: "Warehouse EU" };
        const updated = await plugin.update(SOURCE, created.id, created.outputs, renamed);
        expect(updated.title).toBe("Warehouse EU");
        expect(isSecret(updated.settings)).toBe(true);
        source.outputs = updated;
        source.declared = renamed;

        const moved = await plugin.diff(SOURCE, created.id, updated, {
          ...renamed,
          connectorId: "424242",
        });
        expect(moved).toEqual({ changes: "some", replaces: ["connectorId"], dbr: false });
      });

      test("Invoke getSource and listSources: settings marked secret", async () => {
        const got = await plugin.invoke("bitrix24:index:getSource", { id: source.id });
        expect(got.result).toMatchObject({ id: source.id, connectorId: id, title: "Warehouse EU" });
        expect(isSecret(got.result.settings)).toBe(true);
        const listed = await plugin.invoke("bitrix24:index:listSources", {
          filter: { connectorId: id },
        });
        const items = listed.result.items as JsObject[];
        expect(items.map((s) => s.id)).toEqual([source.id]);
        expect(isSecret(items[0].settings)).toBe(true);
      });

      describe("Dataset", () => {
        const columns = [
          { name: "DEAL_ID", type: "int", externalCode: "deal_id" },
          { name: "AMOUNT", type: "double", externalCode: "amount", visible: false },
        ];
        let ds: { id: string; outputs: JsObject; declared: JsObject };

        test("Create, import-shaped Read passes Check and Diff, columns updated in place", async () => {
          const checked = await plugin.check(DATASET, {
            sourceId: source.id,
            name: "deals",
            externalCode: "deals",
            externalName: "Deals",
            fields: columns,
          });
          expect(checked.failures).toEqual([]);
          const created = await plugin.create(DATASET, checked.inputs);
          ds = { ...created, declared: checked.inputs };
          expect(created.outputs.sourceId).toBe(source.id);
          expect(
            (created.outputs.fields as JsObject[]).every((c) => typeof c.id === "number"),
          ).toBe(true);

          const imported = await plugin.read(DATASET, created.id);
          expect(imported.outputs.sourceId).toBe(source.id);
          expect((imported.inputs?.fields as JsObject[]).some((c) => "id" in c)).toBe(false);
          const rechecked = await plugin.check(DATASET, imported.inputs as JsObject);
          expect(rechecked.failures).toEqual([]);
          expect(
            (await plugin.diff(DATASET, created.id, imported.outputs, rechecked.inputs)).changes,
          ).toBe("none");

          const more = {
            ...checked.inputs,
            fields: [...columns, { name: "STAGE", type: "string", externalCode: "stage" }],
          };
          const d = await plugin.diff(DATASET, created.id, created.outputs, more);
          expect(d).toEqual({ changes: "some", replaces: [], dbr: false });
          const updated = await plugin.update(DATASET, created.id, created.outputs, more);
          expect((updated.fields as JsObject[]).map((c) => c.name).sort()).toEqual([
            "AMOUNT",
            "DEAL_ID",
            "STAGE",
          ]);
          ds.outputs = updated;
          ds.declared = more;
        });

        test("a change that cannot be made in place is a replacement (delete first on a unique name)", async () => {
          const d = await plugin.diff(DATASET, ds.id, ds.outputs, {
            ...ds.declared,
            externalCode: "deals_v2",
          });
          expect(d).toEqual({ changes: "some", replaces: ["externalCode"], dbr: true });
          const renamed = await plugin.diff(DATASET, ds.id, ds.outputs, {
            ...ds.declared,
            name: "deals_v2",
          });
          expect(renamed).toEqual({ changes: "some", replaces: ["name"], dbr: false });
        });

        test("Invoke getDataset and listDatasets", async () => {
          const got = await plugin.invoke("bitrix24:index:getDataset", { id: ds.id });
          expect(got.result).toMatchObject({ id: ds.id, name: "deals" });
          const listed = await plugin.invoke("bitrix24:index:listDatasets", {
            filter: { sourceId: source.id },
          });
          expect((listed.result.items as JsObject[]).map((x) => x.id)).toEqual([ds.id]);
        });

        test("a Bitrix24 error names its code; Delete in order; an out-of-band delete reads as gone", async () => {
          await expect(plugin.delete(CONNECTOR, id, outputs)).rejects.toThrow(
            /CONNECTOR_DELETE_RESTRICTED/,
          );
          await plugin.delete(DATASET, ds.id, ds.outputs);
          await plugin.delete(SOURCE, source.id, source.outputs);
          expect(emu.state.datasets.size + emu.state.sources.size).toBe(0);

          emu.state.connectors.delete(Number(id)); // deleted in the portal, outside Pulumi
          expect((await plugin.read(CONNECTOR, id, outputs, declared)).id).toBe("");
          await plugin.delete(CONNECTOR, id, outputs); // already gone: not an error
          expect(emu.state.connectors.size).toBe(0);
        });

        test("no credential in any answer, error, stderr line or engine log; setting values only inside secrets", () => {
          expect(plugin.wire.length).toBeGreaterThan(30);
          const everything = [
            ...plugin.wire.map((b) => b.toString("latin1")),
            ...plugin.errors,
            ...plugin.stderr,
            ...engine.logs,
          ].join("\n");
          for (const s of credentialValues(emu)) {
            expect(everything).not.toContain(s);
            expect(everything).not.toContain(Buffer.from(s).toString("base64"));
            expect(everything).not.toContain(encodeURIComponent(s));
          }
          const plain = plugin.answers.flatMap((a) => plainStrings(a));
          expect(plain).not.toContain(emu.sampleConnectorCredentials.password);
          expect(plain).not.toContain(emu.sampleConnectorCredentials.login);
        });
      });
    });
  });
});
