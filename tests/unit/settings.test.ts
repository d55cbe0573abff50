import * as util from "util";
import {
  checkSettings,
  layeredSource,
  resolveSettings,
  SettingKey,
  urlProblems,
} from "../../provider/core/client/settings";

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

  test("a deployment takes half the portal's budget by default; bitrix24:rateLimitShare sets it", () => {
    const base = { portalUrl: "https://a.bitrix24.com", accessToken: "tok-123456" };
    expect(from(base).rateLimitShare).toBe(0.5);
    expect(from(base, { BITRIX24_RATE_LIMIT_SHARE: "0.2" }).rateLimitShare).toBe(0.2);
    expect(from({ ...base, rateLimitShare: "1" }).rateLimitShare).toBe(1);
    expect(() => from({ ...base, rateLimitShare: "1.5" })).toThrow(
      /bitrix24:rateLimitShare must be a number above 0 and at most 1/,
    );
    expect(() => from({ ...base, rateLimitShare: "0" })).toThrow(/rateLimitShare/);
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

  test("a webhook URL must have the /rest/USER/SECRET/ shape", () => {
    expect(from({ webhookUrl: "https://a.bitrix24.com/rest/1/s3cr3tw3bh00k" }).auth).toEqual({
      kind: "webhook",
      webhookUrl: "https://a.bitrix24.com/rest/1/s3cr3tw3bh00k/",
    });
    expect(() => from({ webhookUrl: "https://a.bitrix24.com/rest/1" })).toThrow(/USER_ID\/SECRET/);
  });

  test("a plain-http portal, webhook or token-server URL is refused (tokens in the clear), also at preview; loopback hosts and bitrix24:allowInsecureHttp may", () => {
    const oauth = { accessToken: "t-123456" };
    for (const [key, config] of [
      ["portalUrl", { portalUrl: "http://a.bitrix24.com", ...oauth }],
      [
        "oauthUrl",
        { portalUrl: "https://a.bitrix24.com", oauthUrl: "http://oauth.example.com", ...oauth },
      ],
      ["webhookUrl", { webhookUrl: "http://a.bitrix24.com/rest/1/s3cr3tw3bh00k/" }],
    ] as const) {
      expect(() => from(config)).toThrow(
        new RegExp(`bitrix24:${key} is a plain http:// URL.*allowInsecureHttp`),
      );
      // at preview: what check() reads, without credentials
      expect(() =>
        checkSettings(layeredSource((k) => (config as Record<string, string>)[k], {})),
      ).toThrow(new RegExp(`bitrix24:${key} is a plain http:// URL`));
      expect(urlProblems((k) => (config as Record<string, string>)[k]).map((p) => p.key)).toEqual([
        key,
      ]);
      // the message never quotes the URL (a webhook URL holds its secret)
      expect(() => from(config)).not.toThrow(/s3cr3tw3bh00k/);
      expect(from({ ...config, allowInsecureHttp: "true" }).allowInsecureHttp).toBe(true);
    }
    for (const host of ["127.0.0.1:8787", "localhost:8787", "[::1]:8787", "127.1.2.3"])
      expect(from({ portalUrl: `http://${host}/`, ...oauth }).portal).toBe(
        new URL(`http://${host}/`).origin,
      );
  });

  test("bad limits are named", () => {
    expect(() =>
      from({ portalUrl: "https://a.bitrix24.com", accessToken: "t-123456", rateLimitRps: "fast" }),
    ).toThrow(/bitrix24:rateLimitRps must be a positive number/);
  });
});

describe("no credential shows in a settings error", () => {
  const SECRET = {
    webhook: "wh00k-S3cret-7f3a",
    accessToken: "acc3ss-T0ken-91bd",
    refreshToken: "r3fresh-T0ken-c2e8",
    clientSecret: "cl1ent-S3cret-55a0",
  };
  const PORTAL = "https://a.bitrix24.com";
  /** A value as it could leak: as is, URL-encoded, base64. */
  const leakedForms = (v: string) => [v, encodeURIComponent(v), Buffer.from(v).toString("base64")];

  function thrownBy(config: Partial<Record<SettingKey, string>>): Error {
    try {
      from(config);
    } catch (e) {
      return e as Error;
    }
    throw new Error("resolveSettings accepted settings it should refuse");
  }

  test.each<[string, Partial<Record<SettingKey, string>>, RegExp]>([
    [
      "a webhook URL without its user id",
      { webhookUrl: `${PORTAL}/rest/${SECRET.webhook}` },
      /USER_ID\/SECRET/,
    ],
    [
      "a webhook URL that is not a URL",
      { webhookUrl: `a.bitrix24.com/rest/1/${SECRET.webhook}/` },
      /webhookUrl must be an http\(s\) URL/,
    ],
    [
      "a webhook next to OAuth settings",
      {
        webhookUrl: `${PORTAL}/rest/1/${SECRET.webhook}/`,
        portalUrl: PORTAL,
        accessToken: SECRET.accessToken,
        refreshToken: SECRET.refreshToken,
        clientId: "app.1",
        clientSecret: SECRET.clientSecret,
      },
      /Contradictory/,
    ],
    [
      "a refresh token without the application id",
      { portalUrl: PORTAL, refreshToken: SECRET.refreshToken, clientSecret: SECRET.clientSecret },
      /incomplete.*bitrix24:clientId/,
    ],
    [
      "tokens without a portal",
      {
        accessToken: SECRET.accessToken,
        refreshToken: SECRET.refreshToken,
        clientId: "app.1",
        clientSecret: SECRET.clientSecret,
      },
      /incomplete.*bitrix24:portalUrl/,
    ],
    [
      "a portal URL that is not a URL",
      { portalUrl: `not a url ${SECRET.accessToken}`, accessToken: SECRET.accessToken },
      /portalUrl must be an http\(s\) URL/,
    ],
    [
      "a bad limit next to credentials",
      { portalUrl: PORTAL, accessToken: SECRET.accessToken, rateLimitBurst: "-1" },
      /rateLimitBurst must be a positive number/,
    ],
  ])(
    "%s: the error says what is wrong; its message, stack and util.inspect hold no credential",
    (_, config, why) => {
      const given = Object.values(SECRET).filter((v) => JSON.stringify(config).includes(v));
      expect(given.length).toBeGreaterThan(0); // the case does hand over credentials
      const e = thrownBy(config);
      expect(e.message).toMatch(why);
      const shown = [
        e.message,
        String(e.stack),
        util.inspect(e),
        util.inspect(e, { showHidden: true, depth: 10 }),
        JSON.stringify(e),
      ].join("\n");
      for (const v of given) for (const form of leakedForms(v)) expect(shown).not.toContain(form);
    },
  );
});
