import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { main } from "../../provider/cli";
import { SeededPortal, seedAdoptPortal, adoptEnv } from "../helpers/adoptPortal";
import { testIo } from "../helpers/cliIo";
import { clientWith, oauthSettings, tempDir } from "../helpers/portal";
import {
  ConfigValues,
  Deployment,
  cliMissing,
  deployment,
  emulatorConfig,
  expectNoPlaintext,
  expectOk,
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
  printed = [...t.out, ...t.err].join("\n");
  // What the user does with the printed commands: each setting's value from the portal's owner.
  const sources = [...emu.state.sources.values()];
  for (const line of t.out) {
    const m = /pulumi config set --secret (\S+) '<(\w+) of source (\S+)>'/.exec(line);
    if (!m) continue;
    const program = fs.readFileSync(path.join(out, "index.ts"), "utf8");
    const block = program
      .split("\n\n")
      .find((b) => b.includes(`new Source(${JSON.stringify(m[3])},`));
    const id = Number(/adoptId: (\d+)/.exec(block ?? "")?.[1]);
    const source = sources.find((x) => x.id === id);
    const value = (source?.fields.settings as Record<string, string>)[m[2]];
    secretConfig[m[1]] = { value, secret: true };
  }
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
