import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import {
  Deployment,
  cliMissing,
  deployment,
  emulatorConfig,
  expectOk,
  eventsOf,
  expectNoPlaintext,
  whatPulumiKeeps,
  runCli,
  runInline,
  STACK_LOCK_REFUSAL,
} from "./cliRun";

/**
 * Issue 25 under the real CLI: the full pipeline with a secret source password (state, backend
 * files and stack config hold no secret in plaintext), and a deployment that fails half-way.
 */
let emu: Emulator;
const missing = cliMissing();

beforeAll(async () => {
  if (missing) throw new Error(missing);
  emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true });
});
afterAll(() => emu?.close());

describe("examples/full-pipeline under the real CLI", () => {
  const PROGRAM = "examples/full-pipeline";
  let d: Deployment;
  const password = "demo-password";

  test("up, drift in the portal reported by refresh, up repairs, no secret in plaintext anywhere Pulumi keeps data, destroy leaves the portal empty", async () => {
    d = deployment();
    const tokenStore = path.join(d.workDir, "tokens.json");
    const credentials = emulatorConfig(emu, tokenStore);
    const config = {
      ...credentials,
      "bitrix24:allowPrivateEndpoints": { value: "true" },
      endpointBaseUrl: { value: emu.sampleConnectorUrl },
      dbLogin: { value: emu.sampleConnectorCredentials.login },
      dbPassword: { value: password, secret: true },
    };
    expect(emu.sampleConnectorCredentials.password).toBe(password);
    const up = await runInline(d, PROGRAM, "up", config);
    expectOk(up);
    expect([emu.state.connectors.size, emu.state.sources.size, emu.state.datasets.size]).toEqual([
      1, 1, 1,
    ]);
    const [source] = emu.state.sources.values();
    source.fields.title = "Renamed in the portal";
    const refresh = await runInline(d, PROGRAM, "refresh");
    expectOk(refresh);
    expect(eventsOf(refresh, "warehouse-db", "outputs")[0]).toMatchObject({ diffs: ["title"] });
    expectOk(await runInline(d, PROGRAM, "up"));
    expect(emu.state.sources.get(source.id)?.fields.title).toBe("Warehouse DB");

    // Every secret this deployment knows: the configured ones and the pair in the token store now.
    // (The store is written when a pair is first refreshed; the configured one may still hold.)
    const stored = fs.existsSync(tokenStore) ? fs.readFileSync(tokenStore, "utf8") : "";
    const tokens = stored.match(/"(accessToken|refreshToken)":\s*"([^"]+)"/g) ?? [];
    const secrets = [
      password,
      ...["clientSecret", "accessToken", "refreshToken"].map(
        (k) => credentials[`bitrix24:${k}`]!.value,
      ),
      ...tokens.map((t) => t.replace(/^"\w+":\s*"|"$/g, "")),
    ];
    expectNoPlaintext(await whatPulumiKeeps(d), secrets);
    const shown = await runCli(d, d.workDir, [
      "stack",
      "export",
      "--show-secrets",
      "--stack",
      "dev",
    ]);
    expect(shown.output).toContain(password);

    expectOk(await runInline(d, PROGRAM, "destroy"));
    expect([emu.state.connectors.size, emu.state.sources.size, emu.state.datasets.size]).toEqual([
      0, 0, 0,
    ]);
  });
});

describe("a deployment that fails half-way, then converges", () => {
  test("the portal refuses the third of five creates; the next up creates the rest: no duplicate, no orphan", async () => {
    const d = deployment();
    const PROGRAM = "examples/connectors-from-config";
    const declared = Object.fromEntries(
      [1, 2, 3, 4, 5].map((n) => [
        `c${n}`,
        {
          title: `Connector ${n}`,
          logo: "https://connector.example.com/logo.svg",
          urlCheck: "https://connector.example.com/check",
          urlTableList: "https://connector.example.com/table_list",
          urlTableDescription: "https://connector.example.com/table_description",
          urlData: "https://connector.example.com/data",
          settings: [{ name: "Login", code: "login", type: "STRING" }],
        },
      ]),
    );
    const before = emu.state.connectors.size;
    emu.faults.inject({
      kind: "error",
      method: "biconnector.connector.add",
      after: 2,
      code: "CONNECTOR_CREATE_REFUSED",
      description: "Refused by the test portal",
    });
    const failed = await runInline(d, PROGRAM, "up", {
      ...emulatorConfig(emu, path.join(d.workDir, "tokens.json")),
      connectors: { value: JSON.stringify(declared) },
    });
    expect(failed.ok).toBe(false);
    expect(failed.output).toMatch(/CONNECTOR_CREATE_REFUSED/);
    expect(emu.state.connectors.size - before).toBeLessThan(5);
    emu.faults.clear();
    const up = await runInline(d, PROGRAM, "up");
    expectOk(up);
    const mine = [...emu.state.connectors.values()].filter((c) =>
      String(c.fields.title).startsWith("Connector "),
    );
    expect(mine.map((c) => c.fields.title).sort()).toEqual(
      [1, 2, 3, 4, 5].map((n) => `Connector ${n}`),
    );
    const ids = up.outputs?.connectorIds as Record<string, string>;
    expect(
      Object.values(ids)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(mine.map((c) => c.id).sort((a, b) => a - b));
    expectOk(await runInline(d, PROGRAM, "destroy"));
    expect(emu.state.connectors.size).toBe(before);
  });
});

describe("credentials under the real CLI", () => {
  test("stack config credentials, the access token expired: one refresh, the rotated pair saved in the token store", async () => {
    const d = deployment();
    const PROGRAM = "examples/quickstart";
    const tokenStore = path.join(d.workDir, "tokens.json");
    expectOk(await runInline(d, PROGRAM, "up", emulatorConfig(emu, tokenStore)));
    emu.oauth.expireAll();
    const refreshes = emu.oauth.refreshes;
    const tokenRequests = emu.requestLines.filter((l) => l.includes("/oauth/token")).length;
    // A refresh reads the connector from the portal: the expired token must be renewed first.
    expectOk(await runInline(d, PROGRAM, "refresh"));
    expect(emu.oauth.refreshes - refreshes).toBe(1);
    expect(emu.requestLines.filter((l) => l.includes("/oauth/token")).length - tokenRequests).toBe(
      1,
    );
    const stored = fs.readFileSync(tokenStore, "utf8");
    const [live] = [...emu.state.connectors.values()];
    expect(live).toBeDefined();
    // the store holds a pair the portal accepts now: the next command needs no refresh
    expectOk(await runInline(d, PROGRAM, "refresh"));
    expect(emu.oauth.refreshes - refreshes).toBe(1);
    expect(stored).toMatch(/refreshToken/);
    expectOk(await runInline(d, PROGRAM, "destroy"));
  });
});

describe("two machines' worth of CLI sharing one backend and one `command:` token store", () => {
  test("ups from each in turn succeed; two at once: the stack lock stops one, no refresh token is spent twice", async () => {
    const PROGRAM = "examples/quickstart";
    const one = deployment();
    // A second PULUMI_HOME on the same file backend and program folder (another pipeline's runner).
    const other = deployment();
    const two: Deployment = {
      ...one,
      env: { ...one.env, PULUMI_HOME: other.env.PULUMI_HOME },
    };
    const shared = path.join(other.workDir, "shared-tokens");
    const store = `command:sh ${path.join(__dirname, "../../examples/token-stores/shared-file.sh")}`;
    for (const d of [one, two]) d.env.BITRIX24_TOKEN_DIR = shared;
    const config = {
      ...emulatorConfig(emu, store),
      "bitrix24:tokenStore": { value: store },
    };
    const refreshes = () => emu.oauth.refreshes;
    expectOk(await runInline(one, PROGRAM, "up", config));
    const start = refreshes();
    emu.oauth.expireAll();
    expectOk(await runInline(two, PROGRAM, "refresh"));
    emu.oauth.expireAll();
    expectOk(await runInline(one, PROGRAM, "refresh"));
    expect(refreshes() - start).toBe(2);

    emu.oauth.expireAll();
    const before = refreshes();
    const both = await Promise.all([
      runInline(one, PROGRAM, "refresh"),
      runInline(two, PROGRAM, "refresh"),
    ]);
    const failed = both.filter((r) => !r.ok);
    console.log(`two refreshes at once: ${both.map((r) => (r.ok ? "ok" : "stopped")).join(", ")}`);
    for (const r of failed) expect(r.error ?? r.output).toMatch(STACK_LOCK_REFUSAL);
    expect(both.some((r) => r.ok)).toBe(true);
    expect(refreshes() - before).toBe(1);
    expect(emu.requestLines.join("\n")).not.toMatch(/invalid_grant/);
    expectOk(await runInline(one, PROGRAM, "destroy"));
  });
});
