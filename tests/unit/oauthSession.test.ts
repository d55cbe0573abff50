import { Bitrix24ConfigError } from "../../provider/core/errors/errors";
import { OAuthSession, OAuthSettings } from "../../provider/core/client/auth/oauth";
import { readTokenAnswer } from "../../provider/core/client/auth/tokenServer";
import { fingerprint } from "../../provider/core/client/stores/tokenStore";
import { FakeStore, FakeTokenServer } from "../helpers/fakeTokens";

const PORTAL = "https://portal.example.com/";

function settings(
  server: FakeTokenServer,
  pair?: { accessToken?: string; refreshToken?: string },
): OAuthSettings {
  return {
    kind: "oauth",
    portalUrl: PORTAL,
    oauthUrl: "https://oauth.example.com/",
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    tokenStore: "/fake/tokens.json",
    ...pair,
  };
}

/** One "process": its own session over the shared store and token server. */
function session(
  server: FakeTokenServer,
  store: FakeStore,
  pair?: { accessToken?: string; refreshToken?: string },
  extra: { now?: () => number; warnings?: string[] } = {},
) {
  return new OAuthSession(settings(server, pair), {
    transport: server.transport,
    requestTimeoutMs: 1000,
    store,
    now: extra.now,
    warn: (m) => extra.warnings?.push(m),
  });
}

describe("OAuthSession rotation protocol", () => {
  test("8 sessions with the same expired pair: one refresh reaches the token server, all get the new token", async () => {
    const server = new FakeTokenServer();
    const store = new FakeStore();
    const pair = server.issue();
    const sessions = Array.from({ length: 8 }, () => session(server, store, pair));
    const stale = await Promise.all(sessions.map((s) => s.token()));
    expect(new Set(stale)).toEqual(new Set([pair.accessToken]));
    // Every one meets expired_token with the configured access token.
    await Promise.all(sessions.map((s) => s.refresh(pair.accessToken)));
    const fresh = await Promise.all(sessions.map((s) => s.token()));
    expect(server.grants).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(pair.accessToken);
  });

  test("the refresh is a form POST: client secret and refresh token in the body, the URL bare", async () => {
    const server = new FakeTokenServer();
    const pair = server.issue();
    const s = session(server, new FakeStore(), pair);
    await s.refresh(await s.token());
    expect(server.requests[0].url).toBe("https://oauth.example.com/oauth/token/");
    expect(server.requests[0].form).toEqual({
      grant_type: "refresh_token",
      client_id: server.clientId,
      client_secret: server.clientSecret,
      refresh_token: pair.refreshToken,
    });
  });

  test("a stored access token is reused by the next process until it expires, then refreshed once", async () => {
    const server = new FakeTokenServer();
    const store = new FakeStore();
    const pair = server.issue();
    let now = Date.parse("2026-11-28T10:00:00Z");
    const clock = { now: () => now };
    const first = session(server, store, pair, clock);
    await first.refresh(await first.token());
    expect(server.grants).toBe(1);
    // Back-to-back runs within the hour refresh nothing.
    for (let run = 0; run < 3; run++) {
      now += 10 * 60_000;
      const next = session(server, store, pair, clock);
      expect(await next.token()).toBe(await first.token());
    }
    expect(server.grants).toBe(1);
    now += 40 * 60_000; // past `expires`: the next run refreshes with the stored refresh token
    const late = session(server, store, pair, clock);
    await late.token();
    expect(server.grants).toBe(2);
  });

  test("the store refuses the proving write: no refresh token is spent, the error names the store", async () => {
    const server = new FakeTokenServer();
    const store = new FakeStore();
    store.refuseWrites = true;
    const pair = server.issue();
    const s = session(server, store, pair);
    await expect(s.refresh(await s.token())).rejects.toThrow(/file \/fake\/tokens\.json/);
    expect(server.requests).toHaveLength(0);
    expect(server.live.has(pair.refreshToken)).toBe(true);
  });

  test("a save that fails after the refresh: the pair is kept, the work goes on, a loud warning says how to recover, a later save succeeds", async () => {
    const server = new FakeTokenServer();
    const store = new FakeStore();
    store.failRealWrites = true;
    const pair = server.issue();
    let now = 0;
    const warnings: string[] = [];
    const s = session(server, store, pair, { now: () => now, warnings });
    await s.refresh(await s.token());
    const kept = await s.token();
    expect(kept).not.toBe(pair.accessToken);
    expect(s.unsavedPair).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/did not save the token pair.*previous refresh token is now spent/);
    expect(warnings[0]).toMatch(/bitrix24-biconnector login/);
    for (const secret of [kept, pair.refreshToken, server.clientSecret])
      expect(warnings[0]).not.toContain(secret);
    // The store is fixed while the process still runs: the next use saves the pending pair.
    store.failRealWrites = false;
    now += 10_000;
    await s.token();
    expect(s.unsavedPair).toBe(false);
    expect([...store.entries.values()][0].accessToken).toBe(kept);
    expect(server.grants).toBe(1);
  });

  test("invalid_grant: the store is re-read once and the newer pair another machine saved is used", async () => {
    const server = new FakeTokenServer();
    const store = new FakeStore();
    const pair = server.issue();
    const s = session(server, store, pair);
    const other = session(server, new FakeStore(), pair);
    // Another machine (no shared lock) spends the same refresh token first and saves its pair.
    server.beforeAnswer = async () => {
      server.beforeAnswer = undefined;
      await other.refresh(await other.token());
      const [entry] = (other.store as FakeStore).entries.entries();
      store.entries.set(entry[0], { ...entry[1], expires: 0 });
    };
    await s.refresh(await s.token());
    // Its own try failed (invalid_grant); the newer stored refresh token was used next.
    expect(server.requests.map((r) => r.form.refresh_token)).toHaveLength(3);
    expect(server.grants).toBe(2);
    expect(await s.token()).not.toBe(pair.accessToken);
  });

  test("invalid_grant with nothing newer in the store: the re-authorize message", async () => {
    const server = new FakeTokenServer();
    const pair = server.issue();
    server.live.delete(pair.refreshToken);
    const s = session(server, new FakeStore(), pair);
    await expect(s.refresh(await s.token())).rejects.toThrow(
      /oauth\/token failed with invalid_grant.*holds no newer pair.*bitrix24-biconnector login/,
    );
    expect(server.requests).toHaveLength(1);
  });

  test("a conflict (exit 3) on the proving write: read again and go on", async () => {
    const server = new FakeTokenServer();
    const store = new FakeStore();
    store.conflictsLeft = 1;
    const pair = server.issue();
    const s = session(server, store, pair);
    await s.refresh(await s.token());
    expect(server.grants).toBe(1);
    expect(store.writes).toBe(1);
  });

  test("a newly configured refresh token wins over a stored pair of another chain", async () => {
    const server = new FakeTokenServer();
    const store = new FakeStore();
    const old = server.issue();
    const first = session(server, store, old);
    await first.refresh(await first.token());
    const fresh = server.issue();
    const s = session(server, store, fresh);
    expect(await s.token()).toBe(fresh.accessToken);
    await s.refresh(fresh.accessToken);
    expect([...store.entries.values()][0].origin).toBe(fingerprint(fresh.refreshToken));
  });

  test("only clientId and clientSecret configured: the stored pair is used; none stored says to log in", async () => {
    const server = new FakeTokenServer();
    const store = new FakeStore();
    const empty = session(server, store);
    await expect(empty.token()).rejects.toThrow(Bitrix24ConfigError);
    await expect(empty.token()).rejects.toThrow(
      /No Bitrix24 token pair.*bitrix24-biconnector login/,
    );
    const pair = server.issue();
    const seeded = session(server, store, pair);
    await seeded.refresh(await seeded.token());
    const s = session(server, store);
    expect(await s.token()).toBe(await seeded.token());
    expect(server.grants).toBe(1);
  });
});

describe("token server answers", () => {
  test("expires from `expires`, else (absent or already past by our clock) now + `expires_in`", () => {
    const now = () => 1_000_000_000_000;
    const base = { access_token: "a".repeat(10), refresh_token: "r".repeat(10) };
    expect(
      readTokenAnswer(
        { status: 200, data: { ...base, expires: 1_000_000_123, expires_in: 5 } },
        now,
      ).expires,
    ).toBe(1_000_000_123);
    expect(readTokenAnswer({ status: 200, data: { ...base, expires_in: 60 } }, now).expires).toBe(
      1_000_000_060,
    );
    // A server clock behind ours: the token still lives its `expires_in`, not zero seconds.
    const skewed = { ...base, expires: 999_000_000, expires_in: 60 };
    expect(readTokenAnswer({ status: 200, data: skewed }, now).expires).toBe(1_000_000_060);
  });

  test("an error answer is a Bitrix24Error of oauth/token with the code; a redirect is an error", () => {
    expect(() =>
      readTokenAnswer({ status: 401, data: { error: "invalid_client", error_description: "x" } }),
    ).toThrow(/oauth\/token failed with invalid_client/);
    expect(() => readTokenAnswer({ status: 302, data: "" })).toThrow(/HTTP_302/);
  });
});
