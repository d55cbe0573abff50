import * as fs from "fs";
import * as path from "path";
import { Emulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";
import { StackConfig } from "./engine/standIn";
import { SECRET_SIG, SIG_KEY } from "./engine/secrets";
import {
  EXAMPLES,
  credentialValues,
  credentialsConfig,
  lifecycleEmulator,
  standIn,
  writeOps,
} from "./helpers";
import { programFrom } from "./program";

const PROJECT = "bitrix24-full-pipeline";

describe("lifecycle through the real Pulumi runtime: examples/full-pipeline", () => {
  let emu: Emulator;
  let base: StackConfig;
  let program: string;
  beforeAll(async () => {
    emu = await lifecycleEmulator();
    program = programFrom(path.join(EXAMPLES, "full-pipeline"));
    base = {
      ...credentialsConfig(emu, path.join(tempDir("b24-tokens-"), "tokens.json")),
      [`${PROJECT}:endpointBaseUrl`]: { value: emu.sampleConnectorUrl },
      [`${PROJECT}:dbLogin`]: { value: emu.sampleConnectorCredentials.login },
      [`${PROJECT}:dbPassword`]: { value: emu.sampleConnectorCredentials.password, secret: true },
    };
  });
  afterAll(() => emu.close());

  test("create in order, no-op, update, drift, replace, destroy in dependency order; the password stays secret", async () => {
    const engine = standIn(program, PROJECT, base);
    const preview = await engine.preview();
    expect(preview.errors).toEqual([]);
    expect(preview.steps.map((s) => s.op)).toEqual(["create", "create", "create"]);
    expect(emu.writeCalls()).toEqual([]);

    const up = await engine.up();
    expect(up.errors).toEqual([]);
    expect(emu.state.connectors.size).toBe(1);
    expect(emu.state.sources.size).toBe(1);
    expect(emu.state.datasets.size).toBe(1);
    const order = emu.writeCalls().map((c) => c.method);
    expect(order.indexOf("biconnector.connector.add")).toBeLessThan(
      order.indexOf("biconnector.source.add"),
    );
    expect(order.indexOf("biconnector.source.add")).toBeLessThan(
      order.indexOf("biconnector.table.add"),
    );

    // the source's settings are secret in state (encrypted by the stand-in as a secrets provider would)
    const source = engine.state().resources.find((r) => r.type.endsWith(":Source"));
    expect((source?.outputs.settings as Record<string, unknown>)[SIG_KEY]).toBe(SECRET_SIG);
    expect((source?.inputs.settings as Record<string, unknown>)[SIG_KEY]).toBe(SECRET_SIG);

    const again = await engine.up();
    expect(again.steps.map((s) => s.op)).toEqual(["same", "same", "same"]);
    expect(writeOps(again.calls)).toEqual([]);

    // update in place: source title and a column's visibility
    engine.setConfig({
      ...base,
      [`${PROJECT}:sourceTitle`]: { value: "Warehouse (prod)" },
      [`${PROJECT}:showClosedAt`]: { value: "false" },
    });
    const upd = await engine.up();
    expect(upd.errors).toEqual([]);
    expect(upd.steps.filter((s) => s.op === "update").map((s) => s.urn.split("::").pop())).toEqual([
      "warehouse-db",
      "deals",
    ]);
    const [src] = emu.state.sources.values();
    expect(src.fields.title).toBe("Warehouse (prod)");

    // drift: a source renamed in the portal is reported by refresh and repaired by up
    src.fields.title = "Renamed in the portal";
    const refreshed = await engine.refresh();
    expect(refreshed.steps.find((s) => s.urn.endsWith("::warehouse-db"))?.op).toBe("refresh");
    await engine.up();
    expect(src.fields.title).toBe("Warehouse (prod)");

    // replace where required: a new dataset name (unique on the portal) → new table, old one deleted
    const [oldDataset] = emu.state.datasets.keys();
    engine.setConfig({
      ...engine.opts.config,
      [`${PROJECT}:datasetName`]: { value: "warehouse_deals_v2" },
    });
    const replaced = await engine.up();
    expect(replaced.errors).toEqual([]);
    expect(replaced.steps.find((s) => s.urn.endsWith("::deals"))?.op).toBe("replace");
    expect([...emu.state.datasets.values()].map((d) => d.fields.name)).toEqual([
      "warehouse_deals_v2",
    ]);
    expect(emu.state.datasets.has(oldDataset)).toBe(false);

    // destroy: the portal refuses to delete a connector with sources or a source with tables, so
    // success proves the order dataset → source → connector
    const destroyed = await engine.destroy();
    expect(destroyed.errors).toEqual([]);
    expect(emu.state.connectors.size + emu.state.sources.size + emu.state.datasets.size).toBe(0);

    const text = fs.readFileSync(engine.opts.stateFile, "utf8") + engine.logs.join("\n");
    const leaks = text
      .split("\n")
      .filter((l) => l.includes(emu.sampleConnectorCredentials.password));
    expect(leaks).toEqual([]);
    for (const secret of [emu.sampleConnectorCredentials.password, ...credentialValues(emu)])
      expect(text).not.toContain(secret);
  });
});
