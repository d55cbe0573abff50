import axios from "axios";
import * as fs from "fs";
import * as path from "path";
import { Emulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";
import { StackConfig } from "./engine/standIn";
import {
  EXAMPLES,
  credentialValues,
  credentialsConfig,
  lifecycleEmulator,
  standIn,
  writeOps,
} from "./helpers";
import { programFrom } from "./program";

const PROJECT = "bitrix24-connectors-from-config";
const base = (title: string, sort?: number) => ({
  title,
  logo: "https://connector.example.com/logo.svg",
  ...(sort ? { sort } : {}),
  urlCheck: "https://connector.example.com/check",
  urlTableList: "https://connector.example.com/table_list",
  urlTableDescription: "https://connector.example.com/table_description",
  urlData: "https://connector.example.com/data",
  settings: [{ name: "Login", code: "login", type: "STRING" }],
});

describe("lifecycle through the real Pulumi runtime: examples/connectors-from-config", () => {
  let emu: Emulator;
  let config: StackConfig;
  let program: string;
  const withConnectors = (c: Record<string, unknown>): StackConfig => ({
    ...config,
    [`${PROJECT}:connectors`]: { value: JSON.stringify(c) },
  });

  beforeAll(async () => {
    emu = await lifecycleEmulator();
    config = credentialsConfig(emu, path.join(tempDir("b24-tokens-"), "tokens.json"));
    program = programFrom(path.join(EXAMPLES, "connectors-from-config"));
  });
  afterAll(() => emu.close());

  test("preview, up, no-op, update in place, drift, out-of-band delete, removal, destroy", async () => {
    const three = { sales: base("Sales DB"), crm: base("CRM", 200), hr: base("HR") };
    const engine = standIn(program, PROJECT, withConnectors(three));

    // preview: check only, no write call, nothing on the portal
    const preview = await engine.preview();
    expect(preview.errors).toEqual([]);
    expect(preview.ok).toBe(true);
    expect(preview.steps.map((s) => s.op)).toEqual(["create", "create", "create"]);
    expect(writeOps(preview.calls)).toEqual([]);
    expect(emu.writeCalls()).toEqual([]);

    // up creates all three
    const up = await engine.up();
    expect(up.errors).toEqual([]);
    expect(emu.state.connectors.size).toBe(3);
    const ids = up.outputs.connectorIds as Record<string, string>;
    expect(Object.keys(ids).sort()).toEqual(["crm", "hr", "sales"]);
    expect(emu.state.connectors.get(Number(ids.crm))?.fields.sort).toBe(200);

    // a second up with no change: check + diff only, no write call
    const writesBefore = emu.writeCalls().length;
    const again = await engine.up();
    expect(again.steps.map((s) => s.op)).toEqual(["same", "same", "same"]);
    expect(again.calls.map((c) => c.op).sort()).toEqual([
      "check",
      "check",
      "check",
      "diff",
      "diff",
      "diff",
    ]);
    expect(emu.writeCalls().length).toBe(writesBefore);

    // a changed field updates in place (same id)
    engine.setConfig(withConnectors({ ...three, hr: base("Human resources") }));
    const upd = await engine.up();
    expect(upd.steps.filter((s) => s.op === "update").map((s) => s.urn)).toEqual([
      expect.stringMatching(/::hr$/),
    ]);
    expect((upd.outputs.connectorIds as Record<string, string>).hr).toBe(ids.hr);
    expect(emu.state.connectors.get(Number(ids.hr))?.fields.title).toBe("Human resources");

    // an edit made in the portal is reported by refresh and repaired by the next up
    emu.state.connectors.get(Number(ids.sales))!.fields.title = "Edited in the portal";
    const refreshed = await engine.refresh();
    expect(refreshed.steps.find((s) => s.urn.endsWith("::sales"))?.op).toBe("refresh");
    expect(engine.state().resources.find((r) => r.name === "sales")?.outputs.title).toBe(
      "Edited in the portal",
    );
    const repair = await engine.up();
    expect(repair.steps.find((s) => s.urn.endsWith("::sales"))?.op).toBe("update");
    expect(emu.state.connectors.get(Number(ids.sales))?.fields.title).toBe("Sales DB");

    // deleted in the portal: refresh drops it, up re-creates it
    emu.state.connectors.delete(Number(ids.crm));
    const dropped = await engine.refresh();
    expect(dropped.steps.find((s) => s.urn.endsWith("::crm"))?.op).toBe("refresh-delete");
    const recreated = await engine.up();
    expect(recreated.steps.find((s) => s.urn.endsWith("::crm"))?.op).toBe("create");
    expect(emu.state.connectors.size).toBe(3);

    // removed from the program: deleted
    const { hr: _hr, ...two } = { ...three, hr: base("Human resources") };
    engine.setConfig(withConnectors(two));
    const removed = await engine.up();
    expect(removed.steps.filter((s) => s.op === "delete").map((s) => s.urn)).toEqual([
      expect.stringMatching(/::hr$/),
    ]);
    expect(emu.state.connectors.has(Number(ids.hr))).toBe(false);

    // the state names our type and holds no credential while resources exist
    const liveState = fs.readFileSync(engine.opts.stateFile, "utf8");
    expect(liveState).toContain('"type": "pulumi-nodejs:dynamic/bitrix24:Connector"');
    for (const secret of credentialValues(emu)) expect(liveState).not.toContain(secret);

    // destroy leaves the portal empty
    const destroyed = await engine.destroy();
    expect(destroyed.ok).toBe(true);
    expect(emu.state.connectors.size).toBe(0);
    expect(engine.state().resources).toEqual([]);

    // no credential in the state file or any log line
    const stateText = fs.readFileSync(engine.opts.stateFile, "utf8");
    const logs = engine.logs.join("\n");
    for (const secret of credentialValues(emu)) {
      expect(stateText).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });

  test("at scale: refresh of 30 connectors takes at most 30/10 + 2 HTTP calls; destroy is batched too", async () => {
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 30; i++) many[`c${i}`] = base(`Connector ${i}`);
    const engine = standIn(program, PROJECT, withConnectors(many));
    expect((await engine.up()).errors).toEqual([]);
    expect(emu.state.connectors.size).toBe(30);
    const before = emu.calls.length;
    const refresh = await engine.refresh();
    expect(refresh.steps.filter((s) => s.op === "same")).toHaveLength(30);
    const refreshCalls = emu.calls.length - before;
    expect(refreshCalls).toBeLessThanOrEqual(30 / 10 + 2);
    const beforeDestroy = emu.calls.length;
    expect((await engine.destroy()).ok).toBe(true);
    expect(emu.state.connectors.size).toBe(0);
    expect(emu.calls.length - beforeDestroy).toBeLessThanOrEqual(30 / 10 + 2);
  });

  test("connectorsFile: the same map from a JSON file; an edit of the file updates in place", async () => {
    const file = path.join(tempDir("b24-connectors-"), "connectors.json");
    fs.writeFileSync(file, JSON.stringify({ a: base("From file A"), b: base("From file B") }));
    const engine = standIn(program, PROJECT, {
      ...config,
      [`${PROJECT}:connectorsFile`]: { value: file },
    });
    const up = await engine.up();
    expect(up.errors).toEqual([]);
    const ids = up.outputs.connectorIds as Record<string, string>;
    expect(Object.keys(ids).sort()).toEqual(["a", "b"]);
    expect(emu.state.connectors.get(Number(ids.b))?.fields.title).toBe("From file B");
    fs.writeFileSync(file, JSON.stringify({ a: base("From file A"), b: base("Edited B") }));
    const edited = await engine.up();
    expect(edited.steps.map((s) => s.op).sort()).toEqual(["same", "update"]);
    expect(emu.state.connectors.get(Number(ids.b))?.fields.title).toBe("Edited B");
    // Not a map of connectors: an error that names the file and what it must hold.
    fs.writeFileSync(file, JSON.stringify([base("In a list")]));
    const wrong = await engine.up();
    expect(wrong.ok).toBe(false);
    expect(wrong.errors.join("\n")).toContain(
      `connectorsFile ${file}: expected a JSON object of name → connector fields`,
    );
    expect((await engine.destroy()).ok).toBe(true);
    expect(emu.state.connectors.size).toBe(0);
  });

  test("adopt: a connector made by hand is taken over by adoptId (no pulumi import for dynamic providers)", async () => {
    // made "by hand" by the same application, e.g. with a one-off script
    const { id } = (
      await axios.post(`${emu.portalUrl}rest/biconnector.connector.add`, {
        auth: emu.tokens.accessToken,
        fields: base("Hand-made"),
      })
    ).data.result as { id: number };
    const engine = standIn(
      program,
      PROJECT,
      withConnectors({ legacy: { ...base("Legacy, now managed"), adoptId: id } }),
    );
    const up = await engine.up();
    expect(up.errors).toEqual([]);
    expect((up.outputs.connectorIds as Record<string, string>).legacy).toBe(String(id));
    expect(emu.state.connectors.get(id)?.fields.title).toBe("Legacy, now managed");
    expect(emu.state.connectors.size).toBe(1);
    expect((await engine.up()).steps.map((s) => s.op)).toEqual(["same"]);
    expect((await engine.destroy()).ok).toBe(true);
    expect(emu.state.connectors.size).toBe(0);
  });

  test("a failed up keeps what it created; the next up finishes the job without duplicates", async () => {
    const five: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) five[`p${i}`] = base(`Partial ${i}`);
    const engine = standIn(program, PROJECT, withConnectors(five));
    emu.faults.inject({
      kind: "error",
      method: "batch", // the adds travel in batch requests
      code: "BX_ERROR",
      description: "Portal hiccup",
    });
    const failed = await engine.up();
    expect(failed.ok).toBe(false);
    expect(failed.errors.join("\n")).toMatch(
      /biconnector\.connector\.add failed with BX_ERROR: Portal hiccup/,
    );
    const kept = engine.state().resources.length;
    expect(kept).toBe(emu.state.connectors.size);
    expect(kept).toBeLessThan(5);
    const retry = await engine.up();
    expect(retry.errors).toEqual([]);
    expect(retry.steps.filter((s) => s.op === "create")).toHaveLength(5 - kept);
    expect([...emu.state.connectors.values()].map((c) => c.fields.title).sort()).toEqual(
      Object.keys(five).map((_, i) => `Partial ${i}`),
    );
    expect((await engine.destroy()).ok).toBe(true);
  });
});
