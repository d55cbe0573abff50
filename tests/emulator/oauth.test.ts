import axios from "axios";
import * as fs from "fs";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
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

describe("the emulator's authorize page and token server", () => {
  const TTL = 3600;
  let emu: Emulator;
  let clock: number;
  const handlerUrl = "http://127.0.0.1:9/callback?app=1";
  beforeEach(async () => {
    clock = Date.UTC(2026, 0, 1);
    emu = await startEmulator({ rateLimit: false, handlerUrl, now: () => clock });
  });
  afterEach(() => emu.close());

  const http = axios.create({ validateStatus: () => true, maxRedirects: 0, timeout: 10_000 });
  const token = (params: Record<string, string>) =>
    http.post(`${emu.oauthUrl}oauth/token/`, new URLSearchParams(params).toString(), {
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
  const credentials = () => ({ client_id: emu.app.clientId, client_secret: emu.app.clientSecret });
  async function authorize(state = "s-123"): Promise<URL> {
    const res = await http.get(`${emu.authorizeUrl}&state=${state}`);
    expect(res.status).toBe(302);
    return new URL(String(res.headers.location));
  }
  const list = (accessToken: string) =>
    http.post(`${emu.portalUrl}rest/biconnector.connector.list`, { auth: accessToken });
  /** The fields the docs' example of the code exchange's answer shows: no `expires`, no `user_id`. */
  const DOCUMENTED = [
    "access_token",
    "refresh_token",
    "expires_in",
    "client_endpoint",
    "server_endpoint",
    "domain",
    "member_id",
    "scope",
    "status",
  ];

  test("authorize redirects to the handler with code, state, domain, member_id, scope, server_domain", async () => {
    const to = await authorize();
    expect(`${to.origin}${to.pathname}`).toBe("http://127.0.0.1:9/callback");
    const q = Object.fromEntries(to.searchParams);
    expect(q).toMatchObject({
      app: "1",
      state: "s-123",
      domain: new URL(emu.portalUrl).host,
      member_id: emu.oauth.memberId,
      scope: "biconnector",
      server_domain: new URL(emu.oauthUrl).host,
    });
    expect(q.code).toMatch(/^[0-9a-f]{32}$/);
  });

  test("a code exchange (POST form) answers a refresh's fields, as real token servers do; the code works once", async () => {
    const code = (await authorize()).searchParams.get("code") ?? "";
    const res = await token({ grant_type: "authorization_code", code, ...credentials() });
    expect(res.status).toBe(200);
    expect(Object.keys(res.data).sort()).toEqual([...DOCUMENTED, "expires", "user_id"].sort());
    expect(res.data).toMatchObject({ expires: Math.floor(clock / 1000) + TTL, user_id: 1 });
    expect(res.data).toMatchObject({
      expires_in: TTL,
      client_endpoint: `${emu.portalUrl}rest/`,
      server_endpoint: `${emu.oauthUrl}rest/`,
      member_id: emu.oauth.memberId,
      scope: "biconnector",
      status: "L",
    });
    expect((await list(res.data.access_token)).data.result).toEqual([]);
    const again = await token({ grant_type: "authorization_code", code, ...credentials() });
    expect(again.status).toBe(400);
    expect(again.data.error).toBe("invalid_grant");
    expect(emu.oauth.codeExchanges).toBe(1);
    expect(emu.oauth.codeExchangeAttempts).toBe(2);
  });

  test("codeAnswerDocsExample: the code exchange answers as the docs' example, without expires and user_id (refresh answers always have them)", async () => {
    await emu.close();
    emu = await startEmulator({
      rateLimit: false,
      handlerUrl,
      now: () => clock,
      codeAnswerDocsExample: true,
    });
    const code = (await authorize()).searchParams.get("code") ?? "";
    const res = await token({ grant_type: "authorization_code", code, ...credentials() });
    expect(Object.keys(res.data).sort()).toEqual([...DOCUMENTED].sort());
    const refreshed = await token({
      grant_type: "refresh_token",
      refresh_token: res.data.refresh_token,
      ...credentials(),
    });
    expect(refreshed.data.expires).toBe(Math.floor(clock / 1000) + TTL);
  });

  test("a code lives 30 s: at 30 s it works, past 30 s it is refused (clock injected)", async () => {
    const fresh = (await authorize()).searchParams.get("code") ?? "";
    clock += 30_000;
    const ok = await token({ grant_type: "authorization_code", code: fresh, ...credentials() });
    expect(ok.status).toBe(200);
    const old = (await authorize()).searchParams.get("code") ?? "";
    clock += 30_001;
    const late = await token({ grant_type: "authorization_code", code: old, ...credentials() });
    expect(late.status).toBe(400);
    expect(late.data).toEqual({
      error: "invalid_grant",
      error_description: "The authorization code has expired",
    });
  });

  test("authorize without an installed app or without a handler URL: a JSON error, no redirect", async () => {
    const unknown = await http.get(`${emu.url}oauth/authorize/?client_id=nobody&state=x`);
    expect(unknown.status).toBe(400);
    expect(unknown.data.error).toBe("invalid_client");
    await emu.control("app", { method: "PATCH", body: { handlerUrl: "" } });
    const noHandler = await http.get(`${emu.authorizeUrl}&state=x`);
    expect(noHandler.status).toBe(400);
    expect(noHandler.data.error).toBe("invalid_request");
  });

  test("the handler URL and the scope are set through the control endpoint", async () => {
    const res = await emu.control("app", {
      method: "PATCH",
      body: { handlerUrl: "http://127.0.0.1:8765/callback", scope: "crm" },
    });
    expect(res.status).toBe(200);
    const to = await authorize();
    expect(`${to.origin}${to.pathname}`).toBe("http://127.0.0.1:8765/callback");
    expect(to.searchParams.get("scope")).toBe("crm");
    expect(emu.app.scope).toBe("crm");
  });

  test("refresh tokens are single use; the old access token dies with its refresh token", async () => {
    const first = await token({
      grant_type: "refresh_token",
      refresh_token: emu.tokens.refreshToken,
      ...credentials(),
    });
    expect(first.status).toBe(200);
    // A refresh answer carries `expires` and `user_id` besides (the official SDK reads `expires`).
    expect(Object.keys(first.data).sort()).toEqual([...DOCUMENTED, "expires", "user_id"].sort());
    const reused = await token({
      grant_type: "refresh_token",
      refresh_token: emu.tokens.refreshToken,
      ...credentials(),
    });
    expect(reused.status).toBe(400);
    expect(reused.data.error).toBe("invalid_grant");
    expect(emu.oauth.refreshes).toBe(1);
    expect(emu.oauth.refreshAttempts).toBe(2);
    const old = await list(emu.tokens.accessToken);
    expect([old.status, old.data.error]).toEqual([401, "expired_token"]);
    expect((await list(first.data.access_token)).status).toBe(200);
  });

  test("the token endpoint reads a GET query, a POST form and a POST JSON body alike", async () => {
    const viaQuery = await http.get(
      `${emu.oauthUrl}oauth/token/?${new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: emu.tokens.refreshToken,
        ...credentials(),
      })}`,
    );
    expect(viaQuery.status).toBe(200);
    const viaForm = await token({
      grant_type: "refresh_token",
      refresh_token: viaQuery.data.refresh_token,
      ...credentials(),
    });
    expect(viaForm.status).toBe(200);
    const viaJson = await http.post(`${emu.oauthUrl}oauth/token/`, {
      grant_type: "refresh_token",
      refresh_token: viaForm.data.refresh_token,
      ...credentials(),
    });
    expect(viaJson.status).toBe(200);
    expect(emu.oauth.refreshes).toBe(3);
    const wrongSecret = await token({
      grant_type: "refresh_token",
      refresh_token: viaJson.data.refresh_token,
      client_id: emu.app.clientId,
      client_secret: "wrong",
    });
    expect([wrongSecret.status, wrongSecret.data.error]).toEqual([401, "invalid_client"]);
  });

  test("access tokens expire after accessTokenTtlSec (clock injected)", async () => {
    await emu.close();
    emu = await startEmulator({ rateLimit: false, accessTokenTtlSec: 60, now: () => clock });
    clock += 59_999;
    expect((await list(emu.tokens.accessToken)).status).toBe(200);
    clock += 1;
    const res = await list(emu.tokens.accessToken);
    expect([res.status, res.data.error]).toEqual([401, "expired_token"]);
  });

  test("requestLines hold every request's method and full URL, query included", async () => {
    emu.requestLines.length = 0;
    await http.get(`${emu.oauthUrl}oauth/token/?grant_type=refresh_token&client_id=abc`);
    await token({ grant_type: "refresh_token", refresh_token: "in-the-body", ...credentials() });
    await list(emu.tokens.accessToken);
    expect(emu.requestLines).toEqual([
      "GET /oauth/token/?grant_type=refresh_token&client_id=abc",
      "POST /oauth/token/",
      "POST /rest/biconnector.connector.list",
    ]);
    expect(emu.requestLines.join("\n")).not.toContain("in-the-body");
  });

  test("an app without the biconnector scope: insufficient_scope; `scope` and `app.info` tell", async () => {
    await emu.close();
    emu = await startEmulator({ rateLimit: false, scope: "crm" });
    const denied = await list(emu.tokens.accessToken);
    expect([denied.status, denied.data.error]).toEqual([401, "insufficient_scope"]);
    const call = (method: string, body: object = {}) =>
      http.post(`${emu.portalUrl}rest/${method}`, { ...body, auth: emu.tokens.accessToken });
    expect((await call("scope")).data.result).toEqual(["crm"]);
    expect((await call("scope", { full: true })).data.result).toContain("biconnector");
    const info = (await call("app.info")).data.result;
    expect(info).toMatchObject({
      CODE: emu.app.clientId,
      STATUS: "L",
      INSTALLED: true,
      PAYMENT_EXPIRED: "N",
    });
    expect(Object.keys(info)).toEqual(
      expect.arrayContaining(["ID", "VERSION", "DAYS", "LANGUAGE_ID", "LICENSE"]),
    );
    const viaWebhook = await http.post(`${emu.webhookUrl}app.info`, {});
    expect([viaWebhook.status, viaWebhook.data.error]).toEqual([400, "ACCESS_DENIED"]);
  });
});
