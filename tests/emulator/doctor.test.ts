import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { main } from "../../provider/cli";
import { settingsAsEnv } from "../../provider/core/client/settings";
import { tempDir } from "../helpers/portal";
import { testIo } from "../helpers/cliIo";
import { runNode } from "../helpers/processes";
import { REPO } from "../lifecycle/program";

async function doctor(env: NodeJS.ProcessEnv, cwd?: string) {
  const t = testIo(env, cwd);
  const code = await main(["doctor"], t.io);
  return { code, text: t.text() };
}

describe("bitrix24-biconnector doctor against the emulator", () => {
  let emu: Emulator;
  afterEach(() => emu.close());

  const storeFile = () => path.join(tempDir("b24-doctor-"), "tokens.json");
  const secretsOf = (e: Emulator) => [
    e.app.clientSecret,
    e.tokens.accessToken,
    e.tokens.refreshToken,
    e.webhookUrl.split("/").slice(-2)[0],
  ];

  test("healthy: every check passes, exit 0, no secret printed", async () => {
    emu = await startEmulator({ rateLimit: false });
    const { code, text } = await doctor(settingsAsEnv(emu.providerSettings(storeFile())));
    expect(text).toMatch(/ok {4}credentials: OAuth application/);
    expect(text).toMatch(
      /bitrix24:clientSecret = set — from environment variable BITRIX24_CLIENT_SECRET/,
    );
    expect(text).toMatch(/ok {4}token store writable/);
    expect(text).toMatch(/ok {4}portal answers and the access token is accepted/);
    expect(text).toMatch(/ok {4}scope includes biconnector/);
    expect(text).toMatch(/ok {4}biconnector\.connector\.list answers/);
    expect(text).toMatch(/Everything looks right/);
    expect(code).toBe(0);
    for (const s of secretsOf(emu)) expect(text).not.toContain(s);
  });

  test("webhook only: the explanation that connector, source and table methods need an OAuth application; exit 1", async () => {
    emu = await startEmulator({ rateLimit: false });
    const { code, text } = await doctor({ BITRIX24_WEBHOOK_URL: emu.webhookUrl });
    expect(text).toMatch(
      /FAIL {2}credentials: an incoming webhook.*connector, source and table methods/,
    );
    expect(text).toMatch(/fix: create a local application.*bitrix24-biconnector login/);
    expect(code).toBe(1);
    for (const s of secretsOf(emu)) expect(text).not.toContain(s);
  });

  test("refused token: a spent refresh token and an expired access token; fix: login; exit 1", async () => {
    emu = await startEmulator({ rateLimit: false });
    const settings = emu.providerSettings(storeFile());
    // Spend the configured refresh token elsewhere (another store), then expire everything.
    emu.oauth.expireAll();
    const spent = await doctor(settingsAsEnv({ ...settings, tokenStore: storeFile() }));
    expect(spent.code).toBe(0);
    emu.oauth.expireAll();
    const { code, text } = await doctor(settingsAsEnv(settings));
    expect(text).toMatch(/FAIL {2}token refused: .*invalid_grant/);
    expect(text).toMatch(/fix: run `npx bitrix24-biconnector login`/);
    expect(code).toBe(1);
    for (const s of secretsOf(emu)) expect(text).not.toContain(s);
  });

  test("missing scope: the application holds crm only; exit 1 with the portal fix", async () => {
    emu = await startEmulator({ rateLimit: false, scope: "crm" });
    const { code, text } = await doctor(settingsAsEnv(emu.providerSettings(storeFile())));
    expect(text).toMatch(/FAIL {2}scope of the application is crm: biconnector is missing/);
    expect(text).toMatch(/fix: in the portal, add the biconnector scope/);
    expect(code).toBe(1);
  });

  test("a refresh token configured beside a stored pair: says which one the provider will use, and how to use the stored one when the configured token wins", async () => {
    emu = await startEmulator({ rateLimit: false });
    const base = emu.providerSettings(storeFile());
    // What login leaves: a stored pair of a chain of its own (here: a second pair, rotated once).
    const other = emu.oauth.issue(base.clientId);
    const ownChain = { ...base, accessToken: undefined, refreshToken: other.refreshToken };
    emu.oauth.expireAll();
    expect((await doctor(settingsAsEnv(ownChain))).code).toBe(0);
    const own = await doctor(settingsAsEnv(ownChain));
    expect(own.text).toMatch(/ok {4}token pair: the stored one is used \(it descends from/);
    expect(own.code).toBe(0);
    // A token left in the configuration from before: it wins over the stored pair.
    const stale = await doctor(settingsAsEnv(base));
    expect(stale.text).toMatch(
      /FAIL {2}token pair: the refresh token in environment variable BITRIX24_REFRESH_TOKEN takes precedence over the stored pair/,
    );
    expect(stale.text).toMatch(/fix: to use the stored pair .*unset BITRIX24_REFRESH_TOKEN/);
    for (const s of [...secretsOf(emu), other.refreshToken]) {
      expect(own.text).not.toContain(s);
      expect(stale.text).not.toContain(s);
    }
  });

  test("no token pair anywhere (before login): says to run login", async () => {
    emu = await startEmulator({ rateLimit: false });
    const { accessToken: _a, refreshToken: _r, ...rest } = emu.providerSettings(storeFile());
    const { code, text } = await doctor(settingsAsEnv(rest));
    expect(text).toMatch(/FAIL {2}no token pair: none in file .* and none configured/);
    expect(code).toBe(1);
  });

  test("stack config of the current project: plain values named with their file, a stack secret taken from env", async () => {
    emu = await startEmulator({ rateLimit: false });
    const s = emu.providerSettings(storeFile());
    const dir = tempDir("b24-project-");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: shop\nruntime: nodejs\n");
    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      `config:\n  bitrix24:portalUrl: ${s.portalUrl}\n  bitrix24:oauthUrl: ${s.oauthUrl}\n` +
        `  bitrix24:clientId: ${s.clientId}\n  bitrix24:tokenStore: ${s.tokenStore}\n` +
        `  bitrix24:clientSecret:\n    secure: v1:AAAA\n  bitrix24:refreshToken:\n    secure: v1:BBBB\n`,
    );
    const withoutEnv = await doctor({}, dir);
    expect(withoutEnv.text).toMatch(
      /bitrix24:portalUrl = ".*" — from stack config .*Pulumi\.dev\.yaml/,
    );
    expect(withoutEnv.text).toMatch(/FAIL {2}bitrix24:clientSecret is a stack secret/);
    expect(withoutEnv.code).toBe(1);
    const withEnv = await doctor(
      {
        BITRIX24_CLIENT_SECRET: s.clientSecret,
        BITRIX24_REFRESH_TOKEN: s.refreshToken,
        BITRIX24_ACCESS_TOKEN: s.accessToken,
      },
      dir,
    );
    expect(withEnv.text).toMatch(/bitrix24:clientSecret = set — from environment variable/);
    expect(withEnv.code).toBe(0);
    for (const x of secretsOf(emu)) expect(withEnv.text + withoutEnv.text).not.toContain(x);
  });

  test("the installed command (package.json bin) runs as its own process with the same answers", async () => {
    emu = await startEmulator({ rateLimit: false });
    const bin = (
      JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
        bin: Record<string, string>;
      }
    ).bin["bitrix24-biconnector"];
    const r = await runNode(path.join(REPO, bin), ["doctor"], {
      HOME: tempDir("b24-home-"),
      BITRIX24_WEBHOOK_URL: emu.webhookUrl,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}credentials: an incoming webhook/);
    for (const s of secretsOf(emu)) expect(r.stdout + r.stderr).not.toContain(s);
  });
});
