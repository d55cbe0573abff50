import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { tokenKey } from "../../provider/core/client/stores/tokenStore";
import { oauthSettings, tempDir } from "../helpers/portal";
import { LIST_ONCE, listInParallel, runNode } from "../helpers/processes";
import { settingsAsEnv } from "../../provider/core/client/settings";

/** Worker processes run the built package (dist/): `npm test` builds it first. */
describe("token rotation across processes", () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startEmulator({ rateLimit: false });
  });
  afterEach(() => emu.close());

  test("8 processes, one expired access token and one refresh token: exactly 1 refresh, 0 failures", async () => {
    const store = path.join(tempDir("b24-tokens-"), "tokens.json");
    emu.oauth.expireAll();
    const results = await listInParallel(8, oauthSettings(emu, store));
    const failures = results.filter((r) => r.code !== 0);
    expect(failures.map((f) => f.stdout + f.stderr)).toEqual([]);
    // Requests that reached the token server (refused ones included), and successful ones.
    expect(emu.oauth.refreshAttempts).toBe(1);
    expect(emu.oauth.refreshes).toBe(1);
    const entry = JSON.parse(fs.readFileSync(store, "utf8"))[
      tokenKey(emu.portalUrl, emu.app.clientId)
    ];
    expect(entry.refreshToken).not.toBe(emu.tokens.refreshToken);
    // The token server got a bare POST: no secret in any URL the portal or token server saw.
    expect(emu.requestLines.filter((l) => l.includes("/oauth/token"))).toEqual([
      "POST /oauth/token/",
    ]);
    const lines = emu.requestLines.join("\n");
    for (const secret of [
      emu.app.clientSecret,
      emu.tokens.refreshToken,
      entry.refreshToken,
      entry.accessToken,
    ])
      for (const form of [secret, encodeURIComponent(secret)]) expect(lines).not.toContain(form);
    for (const r of results) expect(r.stdout + r.stderr).not.toContain(emu.app.clientSecret);
  });

  test("back-to-back runs within the hour refresh nothing: the stored access token is reused", async () => {
    const store = path.join(tempDir("b24-tokens-"), "tokens.json");
    emu.oauth.expireAll();
    const { accessToken: _a, ...values } = oauthSettings(emu, store);
    for (let run = 0; run < 3; run++) {
      const r = await runNode(LIST_ONCE, [], {
        HOME: tempDir("b24-home-"),
        ...settingsAsEnv(values),
      });
      expect(r.stdout).toContain('"ok":true');
    }
    expect(emu.oauth.refreshes).toBe(1);
  });

  test("a store that cannot be written: 0 refresh tokens spent, the error names the store", async () => {
    const blocker = path.join(tempDir("b24-tokens-"), "not-a-folder");
    fs.writeFileSync(blocker, "");
    const store = path.join(blocker, "tokens.json");
    emu.oauth.expireAll();
    const [r] = await listInParallel(1, oauthSettings(emu, store));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("not-a-folder/tokens.json");
    expect(emu.oauth.refreshAttempts).toBe(0);
    // The configured refresh token still works: nothing was burnt.
    const ok = await listInParallel(1, oauthSettings(emu, path.join(tempDir("b24-t-"), "t.json")));
    expect(ok[0].code).toBe(0);
    expect(emu.oauth.refreshes).toBe(1);
  });

  test("a command store that fails: 0 refresh tokens spent, the error names the store and its stderr", async () => {
    emu.oauth.expireAll();
    const cmd = "command:echo 'backend unreachable' >&2; exit 1 #";
    const [r] = await listInParallel(1, oauthSettings(emu, cmd));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      /Token store command .* failed on `get` with exit status 1: backend unreachable/,
    );
    expect(emu.oauth.refreshAttempts).toBe(0);
  });
});
