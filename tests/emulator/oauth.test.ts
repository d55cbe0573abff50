import * as fs from "fs";
import { Emulator } from "bitrix24-biconnector-emulator";
import { oauthSettings, portal, clientWith } from "../helpers/portal";

const LIST = "biconnector.connector.list";

const client = clientWith;

describe("OAuth refresh and rotation", () => {
  let emu: Emulator;
  let tokenStore: string;
  beforeEach(async () => {
    ({ emu, tokenStore } = await portal());
  });
  afterEach(() => emu.close());

  test("expired_token → one refresh, the call repeated, the rotated pair persisted (0600)", async () => {
    const settings = oauthSettings(emu, tokenStore);
    const c = client(settings);
    emu.oauth.expireAll();
    await expect(c.call(LIST)).resolves.toEqual([]);
    expect(emu.oauth.refreshes).toBe(1);
    expect(c.stats.refreshes).toBe(1);
    expect(fs.statSync(tokenStore).mode & 0o777).toBe(0o600);
    const stored = Object.values(JSON.parse(fs.readFileSync(tokenStore, "utf8")))[0] as Record<
      string,
      string
    >;
    expect(stored.refreshToken).not.toBe(emu.tokens.refreshToken);
    // The file keeps a fingerprint of the configured token, never the token itself.
    expect(fs.readFileSync(tokenStore, "utf8")).not.toContain(emu.tokens.refreshToken);
  });

  test("a second provider process uses the rotated pair, not the configured (now dead) refresh token", async () => {
    const settings = oauthSettings(emu, tokenStore);
    emu.oauth.expireAll();
    await client(settings).call(LIST);
    emu.oauth.expireAll();
    const second = client(settings);
    await expect(second.call(LIST)).resolves.toEqual([]);
    expect(emu.oauth.refreshes).toBe(2);
  });

  test("concurrent calls share one refresh", async () => {
    const c = client(oauthSettings(emu, tokenStore));
    emu.oauth.expireAll();
    await Promise.all(Array.from({ length: 10 }, () => c.call(LIST)));
    expect(emu.oauth.refreshes).toBe(1);
  });

  test("a newly configured refresh token (re-authorization) wins over the stored pair", async () => {
    const settings = oauthSettings(emu, tokenStore);
    emu.oauth.expireAll();
    await client(settings).call(LIST);
    const fresh = emu.oauth.issue(emu.app.clientId);
    const c = client({
      ...settings,
      accessToken: fresh.accessToken,
      refreshToken: fresh.refreshToken,
    });
    await c.call(LIST);
    expect(c.stats.refreshes).toBe(0);
  });

  test("a dead refresh token gives invalid_grant with what to do", async () => {
    const settings = oauthSettings(emu, tokenStore);
    emu.oauth.expireAll();
    await client(settings).call(LIST);
    // Another store: the configured refresh token was already used and is dead.
    const c = client({ ...settings, tokenStore: tokenStore + ".other" });
    emu.oauth.expireAll();
    await expect(c.call(LIST)).rejects.toThrow(
      /oauth\/token failed with invalid_grant.*re-authorize/,
    );
  });

  test("an expired access token without refresh credentials is a clear configuration error", async () => {
    const c = client({ portalUrl: emu.portalUrl, accessToken: emu.tokens.accessToken, tokenStore });
    emu.oauth.expireAll();
    await expect(c.call(LIST)).rejects.toThrow(/cannot be refreshed: set bitrix24:refreshToken/);
  });

  test("only a refresh token configured: refreshes before the first call", async () => {
    const { accessToken: _a, ...settings } = oauthSettings(emu, tokenStore);
    await expect(client(settings).call(LIST)).resolves.toEqual([]);
    expect(emu.oauth.refreshes).toBe(1);
  });
});
