import * as path from "path";
import { Emulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";
import { StackConfig } from "./engine/standIn";
import { credentialsConfig, lifecycleEmulator, standIn } from "./helpers";
import { programFrom } from "./program";

const PROJECT = "bitrix24-source-move";

describe("lifecycle: a source moved to another connector is replaced (connectorId is immutable)", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await lifecycleEmulator();
  });
  afterAll(() => emu.close());

  test("create on a, move to b: the new source exists before the old one is deleted; destroy in order", async () => {
    const program = programFrom(path.join(__dirname, "programs", "source-move"));
    const config = (use: string): StackConfig => ({
      ...credentialsConfig(emu, path.join(tempDir("b24-tokens-"), "tokens.json")),
      [`${PROJECT}:endpointBaseUrl`]: { value: emu.sampleConnectorUrl },
      [`${PROJECT}:useConnector`]: { value: use },
      [`${PROJECT}:login`]: { value: emu.sampleConnectorCredentials.login },
      [`${PROJECT}:password`]: { value: emu.sampleConnectorCredentials.password, secret: true },
    });
    const engine = standIn(program, PROJECT, config("a"));
    const first = await engine.up();
    expect(first.errors).toEqual([]);
    const oldId = Number(first.outputs.sourceId);
    const byTitle = (t: string) =>
      [...emu.state.connectors.values()].find((c) => c.fields.title === t)?.id;
    expect(emu.state.sources.get(oldId)?.fields.connectorId).toBe(byTitle("Connector a"));

    engine.setConfig(config("b"));
    const preview = await engine.preview();
    expect(preview.steps.find((s) => s.urn.endsWith("::moving"))?.op).toBe("replace");
    const before = emu.writeCalls().length;
    const moved = await engine.up();
    expect(moved.errors).toEqual([]);
    const writes = emu
      .writeCalls()
      .slice(before)
      .map((c) => c.method);
    // create-before-delete: the replacement is added, then the old source deleted
    expect(writes).toEqual(["biconnector.source.add", "biconnector.source.delete"]);
    const newId = Number(moved.outputs.sourceId);
    expect(newId).not.toBe(oldId);
    expect([...emu.state.sources.values()].map((s) => s.fields.connectorId)).toEqual([
      byTitle("Connector b"),
    ]);

    expect((await engine.destroy()).errors).toEqual([]);
    expect(emu.state.connectors.size + emu.state.sources.size).toBe(0);
  });
});
