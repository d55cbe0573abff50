import { layeredSource, resolveSettings, SettingKey } from "../../provider/client/settings";

const from = (config: Partial<Record<SettingKey, string>>, env: NodeJS.ProcessEnv = {}) =>
  resolveSettings(layeredSource((k) => config[k], env));

describe("provider settings", () => {
  test("stack config wins over env, env fills the rest", () => {
    const s = from(
      { portalUrl: "https://a.bitrix24.com", accessToken: "config-token-123" },
      {
        BITRIX24_PORTAL_URL: "https://b.bitrix24.com",
        BITRIX24_RATE_LIMIT_RPS: "5",
        BITRIX24_RATE_LIMIT_BURST: "250",
      },
    );
    expect(s.auth).toMatchObject({
      kind: "oauth",
      portalUrl: "https://a.bitrix24.com/",
      accessToken: "config-token-123",
    });
    expect(s.portal).toBe("https://a.bitrix24.com");
    expect([s.rateLimitRps, s.rateLimitBurst]).toEqual([5, 250]);
  });

  test("defaults: 2 rps, burst 50, oauth.bitrix.info, a per-user token store", () => {
    const s = from({ portalUrl: "https://a.bitrix24.com", accessToken: "tok-123456" });
    expect([s.rateLimitRps, s.rateLimitBurst]).toEqual([2, 50]);
    expect(s.auth).toMatchObject({
      oauthUrl: "https://oauth.bitrix.info/",
      tokenStore: expect.stringContaining(".pulumi-bitrix24"),
    });
  });

  test("nothing set: one error that lists what to set", () => {
    expect(() => from({})).toThrow(
      /missing.*bitrix24:portalUrl.*BITRIX24_PORTAL_URL.*bitrix24:webhookUrl/s,
    );
  });

  test("portalUrl, clientId and clientSecret suffice: the token pair may come from the store (after login)", () => {
    const s = resolveSettings(
      layeredSource(() => undefined, {
        BITRIX24_PORTAL_URL: "https://p.example.com",
        BITRIX24_CLIENT_ID: "local.app",
        BITRIX24_CLIENT_SECRET: "client-secret-1",
      }),
    );
    expect(s.auth).toMatchObject({ kind: "oauth", clientId: "local.app" });
    expect(s.auth).not.toHaveProperty("refreshToken", expect.anything());
  });

  test("a refresh token needs the application's id and secret", () => {
    expect(() => from({ portalUrl: "https://a.bitrix24.com", refreshToken: "r-123456" })).toThrow(
      /incomplete.*bitrix24:clientId.*bitrix24:clientSecret/,
    );
  });

  test("webhook and OAuth together are contradictory", () => {
    expect(() =>
      from({
        webhookUrl: "https://a.bitrix24.com/rest/1/abcdefgh/",
        portalUrl: "https://a.bitrix24.com",
        accessToken: "t-123456",
      }),
    ).toThrow(/Contradictory/);
  });

  test("a webhook URL must have the /rest/USER/SECRET/ shape; its secret never shows in errors", () => {
    expect(from({ webhookUrl: "https://a.bitrix24.com/rest/1/s3cr3tw3bh00k" }).auth).toEqual({
      kind: "webhook",
      webhookUrl: "https://a.bitrix24.com/rest/1/s3cr3tw3bh00k/",
    });
    expect(() => from({ webhookUrl: "https://a.bitrix24.com/rest/1" })).toThrow(/USER_ID\/SECRET/);
  });

  test("bad limits are named", () => {
    expect(() =>
      from({ portalUrl: "https://a.bitrix24.com", accessToken: "t-123456", rateLimitRps: "fast" }),
    ).toThrow(/bitrix24:rateLimitRps must be a positive number/);
  });
});
