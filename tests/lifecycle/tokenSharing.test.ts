import * as fs from "fs";
import * as path from "path";
import { Emulator } from "bitrix24-biconnector-emulator";
import { tokenKey } from "../../provider/core/client/stores/tokenStore";
import { methodsRun, tempDir } from "../helpers/portal";
import { credentialValues, credentialsConfig, lifecycleEmulator, standIn } from "./helpers";
import { programFrom } from "./program";

const PROJECT = "bitrix24-token-sharing";

describe("lifecycle: the program and the provider process of one deployment share the token pair", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await lifecycleEmulator();
  });
  afterAll(() => emu.close());

  test("expired access token: one refresh for both processes, no failure; the next up refreshes nothing", async () => {
    const program = programFrom(path.join(__dirname, "programs", "token-sharing"));
    const store = path.join(tempDir("b24-tokens-"), "tokens.json");
    const engine = standIn(program, PROJECT, {
      ...credentialsConfig(emu, store),
      [`${PROJECT}:endpointBaseUrl`]: { value: emu.sampleConnectorUrl },
    });
    emu.oauth.expireAll();
    const first = await engine.up();
    expect(first.errors).toEqual([]);
    expect(first.outputs.connectorsBefore).toBe(0);
    // Both processes called the portal: the program's lookup and the provider's create.
    const methods = methodsRun(emu.calls);
    expect(methods).toContain("biconnector.connector.list");
    expect(methods).toContain("biconnector.connector.add");
    // Requests that reached the token server (refused ones included), and successful ones.
    expect(emu.oauth.refreshAttempts).toBe(1);
    expect(emu.oauth.refreshes).toBe(1);
    const entry = JSON.parse(fs.readFileSync(store, "utf8"))[
      tokenKey(emu.portalUrl, emu.app.clientId)
    ];
    expect(entry.refreshToken).not.toBe(emu.tokens.refreshToken);

    // Back to back, within the access token's life: both processes reuse the stored token.
    const second = await engine.up();
    expect(second.errors).toEqual([]);
    expect(second.outputs.connectorsBefore).toBe(1);
    expect(emu.oauth.refreshAttempts).toBe(1);

    // No secret of either pair in the state file.
    const state = fs.readFileSync(engine.opts.stateFile, "utf8");
    const logs = engine.logs.join("\n");
    for (const s of [...credentialValues(emu), entry.accessToken, entry.refreshToken])
      for (const text of [state, logs, emu.requestLines.join("\n")]) expect(text).not.toContain(s);
    expect((await engine.destroy()).errors).toEqual([]);
  });
});
