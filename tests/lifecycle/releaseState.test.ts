import * as fs from "fs";
import * as path from "path";
import { Emulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";
import { StackState } from "./engine/standIn";
import { EXAMPLES, credentialsConfig, lifecycleEmulator, standIn } from "./helpers";
import { programFrom } from "./program";
import release from "../fixtures/release-0.1.0-providers.json";

const PROJECT = "bitrix24-full-pipeline";

/**
 * Refresh and destroy run the `__provider` text stored in state, not the program's. A stack
 * deployed with release 0.1.0 holds that release's thin shim: it must keep driving the installed
 * package (providerRuntime.configure / .provider(kind)) however the package is built inside.
 */
describe("lifecycle: a state written by release 0.1.0 keeps working with this package", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await lifecycleEmulator();
  });
  afterAll(() => emu.close());

  test("refresh sees drift and destroy deletes everything through the 0.1.0 shims in state", async () => {
    const engine = standIn(programFrom(path.join(EXAMPLES, "full-pipeline")), PROJECT, {
      ...credentialsConfig(emu, path.join(tempDir("b24-tokens-"), "tokens.json")),
      [`${PROJECT}:endpointBaseUrl`]: { value: emu.sampleConnectorUrl },
      [`${PROJECT}:dbLogin`]: { value: emu.sampleConnectorCredentials.login },
      [`${PROJECT}:dbPassword`]: { value: emu.sampleConnectorCredentials.password, secret: true },
    });
    expect((await engine.up()).errors).toEqual([]);

    // The state as release 0.1.0 would have written it: its shim text in every resource.
    const raw = JSON.parse(fs.readFileSync(engine.opts.stateFile, "utf8")) as StackState;
    const providers = release.providers as Record<string, string>;
    for (const r of raw.resources) {
      expect(providers[r.type]).toBeDefined();
      r.inputs.__provider = providers[r.type];
      r.outputs.__provider = providers[r.type];
    }
    fs.writeFileSync(engine.opts.stateFile, JSON.stringify(raw, null, 2));
    expect(engine.state().resources.map((r) => r.outputs.__provider)).toEqual(
      raw.resources.map((r) => providers[r.type]),
    );

    // An up of this version's program, whose text differs: nothing replaced or updated.
    const again = await engine.up();
    expect(again.errors).toEqual([]);
    expect(new Set(again.steps.map((s) => s.op))).toEqual(new Set(["same"]));

    const [source] = emu.state.sources.values();
    source.fields.title = "Renamed in the portal";
    const refreshed = await engine.refresh();
    expect(refreshed.errors).toEqual([]);
    const stored = engine.state().resources.find((r) => r.type.endsWith(":Source"));
    expect(stored?.outputs.title).toBe("Renamed in the portal");

    const destroyed = await engine.destroy();
    expect(destroyed.errors).toEqual([]);
    expect(emu.state.connectors.size + emu.state.sources.size + emu.state.datasets.size).toBe(0);
  });
});
