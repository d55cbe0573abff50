import axios from "axios";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { main } from "../../provider/cli";
import { tempDir } from "../helpers/portal";
import { printed, testIo } from "../helpers/cliIo";

/**
 * `login`'s rough edges (issue 37), each through the real flow against the emulator: its
 * authorize page, the redirect, the callback on login's listener (or the paste).
 */
let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ rateLimit: false });
});
afterEach(() => emu.close());

const flags = () => [
  "--portal",
  emu.portalUrl,
  "--client-id",
  emu.app.clientId,
  "--oauth-url",
  emu.oauthUrl,
  "--token-store",
  path.join(tempDir("b24-login-"), "tokens.json"),
  "--timeout",
  "20",
];
const env = () => ({ BITRIX24_CLIENT_SECRET: emu.app.clientSecret });

/** login listening on a free port, the application's handler set to it; `browser` = opener's answer. */
async function startLogin(browser = true) {
  const t = testIo(env());
  const opened = t.io.openBrowser;
  t.io.openBrowser = (url) => opened(url) && browser;
  const exit = main(["login", ...flags(), "--port", "0"], t.io);
  const [, callback] = await printed(t.out, /Listening on (http:\/\/127\.0\.0\.1:\d+\/callback)/);
  emu.oauth.configureApp(emu.app.clientId, { handlerUrl: callback });
  const [authorize] = await printed(t.out, /^\s+(http\S+oauth\/authorize\/\S+)$/);
  return { t, exit, callback, authorize: authorize.trim() };
}

/** The address the authorize page redirects the browser to (holding the code and state). */
async function redirectOf(authorize: string): Promise<string> {
  const r = await axios.get(authorize, { maxRedirects: 0, validateStatus: () => true });
  expect(r.status).toBe(302);
  return String(r.headers.location);
}

test("error_description from the browser reaches the terminal with every control character escaped, cut to a sane length", async () => {
  const { t, exit, callback, authorize } = await startLogin();
  const state = new URL(authorize).searchParams.get("state") as string;
  const hostile = `\x1b[2J\x1b]0;pwned\x07denied\r\nFAKE: ok\u009b31m${"A".repeat(5000)}`;
  const u = new URL(callback);
  u.searchParams.set("state", state);
  u.searchParams.set("error", "access_denied\x1b[1m");
  u.searchParams.set("error_description", hostile);
  const page = await axios.get(u.toString(), { validateStatus: () => true });
  expect(page.status).toBe(400);
  expect(await exit).toBe(1);
  const said = t.err.join("\n");
  // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
  expect(said).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  expect(said).toContain("error=access_denied\\x1b[1m");
  expect(said).toContain("\\x1b[2J\\x1b]0;pwned\\x07denied\\r\\nFAKE: ok\\x9b31m");
  expect(said).toMatch(/… \(\d+ characters\)/);
  expect(said.length).toBeLessThan(600);
});

test("--paste with standard input closed: says that it ended, at once, and exits non-zero", async () => {
  const t = testIo(env());
  const started = Date.now();
  const exit = main(["login", ...flags(), "--paste"], t.io);
  await printed(t.out, /oauth\/authorize/);
  t.stdin.end();
  expect(await exit).toBe(1);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(t.err.join("\n")).toMatch(/Standard input ended before anything was pasted/);
  expect(t.err.join("\n")).not.toMatch(/within \d+ s/);
});

test.each([
  ["hello world"],
  ["<!doctype html><html><head><title>Bitrix24</title></head><body>Allow access?</body></html>"],
  ["short"],
])(
  "--paste of text that is neither a redirect address nor a code (%s): refused locally, nothing sent to the token server",
  async (text) => {
    const t = testIo(env());
    const exit = main(["login", ...flags(), "--paste"], t.io);
    await printed(t.out, /oauth\/authorize/);
    t.stdin.write(`${text}\n`);
    expect(await exit).toBe(1);
    expect(t.err.join("\n")).toMatch(/neither the address the browser was sent to .* nor a code/);
    expect(emu.oauth.codeExchangeAttempts).toBe(0);
  },
);

test("a second callback while the first code is being exchanged: answered at once (already received), login finishes with the first", async () => {
  const { t, exit, authorize } = await startLogin();
  const location = await redirectOf(authorize);
  // The same redirect twice at once (a reload, a second tab), then one more after.
  const [a, b] = await Promise.all(
    [location, location].map((l) => axios.get(l, { validateStatus: () => true, timeout: 10_000 })),
  );
  expect([a.status, b.status].sort()).toEqual([200, 409]);
  expect(String((a.status === 409 ? a : b).data)).toMatch(/already received/);
  expect(await exit).toBe(0);
  expect(emu.oauth.codeExchanges).toBe(1);
  expect(t.err.join("\n")).toMatch(
    /Another redirect arrived after the first one: answered, not used/,
  );
});

test("no browser opener: says it could not open one and that the address is to be opened by hand", async () => {
  const { t, exit, authorize } = await startLogin(false);
  const said = t.out.join("\n");
  expect(said).not.toMatch(/opened in your browser/);
  expect(said).toMatch(/could not open a browser here.*open the address above by hand/);
  await axios.get(authorize, { maxRedirects: 5, validateStatus: () => true });
  expect(await exit).toBe(0);
});
