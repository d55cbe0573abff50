import axios from "axios";
import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { main } from "../../provider/cli";
import { tokenKey } from "../../provider/core/client/stores/tokenStore";
import { clientWith, tempDir } from "../helpers/portal";
import { printed, testIo } from "../helpers/cliIo";

const LIST = "biconnector.connector.list";

describe("bitrix24-biconnector login against the emulator", () => {
  let emu: Emulator;
  let now: number;
  let store: string;
  beforeEach(async () => {
    now = Date.now();
    emu = await startEmulator({ rateLimit: false, now: () => now });
    store = path.join(tempDir("b24-login-"), "tokens.json");
  });
  afterEach(() => emu.close());

  const flags = (tokenStore = store) => [
    "--portal",
    emu.portalUrl,
    "--client-id",
    emu.app.clientId,
    "--oauth-url",
    emu.oauthUrl,
    "--token-store",
    tokenStore,
    "--no-browser",
  ];
  // The client secret from the environment, as a user keeps it out of the shell history.
  const env = () => ({ BITRIX24_CLIENT_SECRET: emu.app.clientSecret });

  /** Starts login on a free port; the application's handler path is set to its callback. */
  async function startLogin(extra: string[] = []) {
    const t = testIo(env());
    const exit = main(["login", ...flags(), "--port", "0", "--timeout", "20", ...extra], t.io);
    const [, callback] = await printed(t.out, /Listening on (http:\/\/127\.0\.0\.1:\d+\/callback)/);
    emu.oauth.configureApp(emu.app.clientId, { handlerUrl: callback });
    const [authorize] = await printed(t.out, /^\s+(http\S+oauth\/authorize\/\S+)$/);
    return { t, exit, callback, authorize: authorize.trim() };
  }

  /** login --paste, with the application's handler on a page the listener is not. */
  async function pasteLogin() {
    emu.oauth.configureApp(emu.app.clientId, { handlerUrl: "https://app.example.com/handler" });
    const t = testIo(env());
    const exit = main(["login", ...flags(), "--paste", "--timeout", "20"], t.io);
    const [authorize] = await printed(t.out, /^\s+(http\S+oauth\/authorize\/\S+)$/);
    // The browser step, stopped at the redirect: the address the user would copy.
    const redirect = await axios.get(authorize.trim(), {
      maxRedirects: 0,
      validateStatus: () => true,
    });
    return { t, exit, location: String(redirect.headers.location) };
  }

  function secrets(): string[] {
    const entry = JSON.parse(fs.readFileSync(store, "utf8"))[
      tokenKey(emu.portalUrl, emu.app.clientId)
    ];
    return [emu.app.clientSecret, entry.accessToken, entry.refreshToken];
  }

  test("a token server answering the code exchange as the docs' example (no expires, no user_id): the pair is stored and works", async () => {
    await emu.close();
    emu = await startEmulator({ rateLimit: false, now: () => now, codeAnswerDocsExample: true });
    const { exit, authorize } = await startLogin();
    await axios.get(authorize, { maxRedirects: 5, validateStatus: () => true });
    expect(await exit).toBe(0);
    expect(emu.oauth.codeExchanges).toBe(1);
    const [, access, refresh] = secrets();
    expect(access).toMatch(/\S/);
    expect(refresh).toMatch(/\S/);
    const client = clientWith({
      portalUrl: emu.portalUrl,
      clientId: emu.app.clientId,
      clientSecret: emu.app.clientSecret,
      oauthUrl: emu.oauthUrl,
      tokenStore: store,
    });
    expect(await client.call(LIST, {})).toEqual([]);
  });

  test("end to end: the browser step follows the redirect to the listener; the pair is stored; the provider needs no token configured", async () => {
    const { t, exit, authorize } = await startLogin();
    expect(new URL(authorize).searchParams.get("client_id")).toBe(emu.app.clientId);
    expect(new URL(authorize).searchParams.get("state")).toMatch(/^[0-9a-f]{32}$/);
    // The "browser": GET the authorize page and follow its redirect to the callback.
    const page = await axios.get(authorize, { maxRedirects: 5, validateStatus: () => true });
    expect(page.status).toBe(200);
    expect(String(page.data)).toMatch(/Signed in/);
    expect(await exit).toBe(0);
    expect(emu.oauth.codeExchanges).toBe(1);
    expect(fs.statSync(store).mode & 0o777).toBe(0o600);
    expect(t.out.join("\n")).toMatch(
      /Next:[\s\S]*pulumi config set --secret bitrix24:clientSecret/,
    );
    // Signed in at another token server than Bitrix24's: the provider must refresh there too.
    expect(t.out).toContain(`  pulumi config set bitrix24:oauthUrl ${emu.oauthUrl}`);

    // The state login leaves: portalUrl + clientId + clientSecret, nothing else.
    const c = clientWith({
      portalUrl: emu.portalUrl,
      oauthUrl: emu.oauthUrl,
      clientId: emu.app.clientId,
      clientSecret: emu.app.clientSecret,
      tokenStore: store,
    });
    await expect(c.call(LIST)).resolves.toEqual([]);
    expect(emu.oauth.refreshAttempts).toBe(0);

    for (const s of secrets()) {
      expect(t.text()).not.toContain(s);
      expect(emu.requestLines.join("\n")).not.toContain(s);
      expect(emu.requestLines.join("\n")).not.toContain(encodeURIComponent(s));
    }
  });

  test("a callback with a wrong state is refused; the real one still completes", async () => {
    const { t, exit, callback, authorize } = await startLogin();
    const forged = await axios.get(`${callback}?code=forged-code&state=not-this-login`, {
      validateStatus: () => true,
    });
    expect(forged.status).toBe(400);
    expect(String(forged.data)).toMatch(/wrong state/);
    expect(t.err.join("\n")).toMatch(/Refused a callback with a wrong state/);
    expect(emu.oauth.codeExchangeAttempts).toBe(0);
    await axios.get(authorize, { maxRedirects: 5, validateStatus: () => true });
    expect(await exit).toBe(0);
    expect(emu.oauth.codeExchanges).toBe(1);
  });

  test("a code older than 30 s is refused with a clear message and nothing is stored", async () => {
    const { t, exit, authorize } = await startLogin();
    const redirect = await axios.get(authorize, { maxRedirects: 0, validateStatus: () => true });
    expect(redirect.status).toBe(302);
    now += 31_000; // the user took too long in the browser
    const page = await axios.get(String(redirect.headers.location), { validateStatus: () => true });
    expect(page.status).toBe(400);
    expect(await exit).toBe(1);
    expect(t.err.join("\n")).toMatch(
      /refused the authorization code \(invalid_grant: The authorization code has expired\)\. A code lives 30 seconds/,
    );
    expect(fs.existsSync(store) ? fs.readFileSync(store, "utf8") : "{}").not.toMatch(/accessToken/);
  });

  test("--paste: the redirected address pasted on stdin (no listener); a pasted address of another login is refused", async () => {
    const { t, exit, location } = await pasteLogin();
    expect(location).toMatch(/^https:\/\/app\.example\.com\/handler\?code=/);
    t.stdin.write(`${location}\n`);
    expect(await exit).toBe(0);
    expect(emu.oauth.codeExchanges).toBe(1);
    for (const s of secrets()) expect(t.text()).not.toContain(s);

    const other = await pasteLogin();
    other.t.stdin.write("https://app.example.com/handler?code=abc123&state=someone-elses\n");
    expect(await other.exit).toBe(1);
    expect(other.t.err.join("\n")).toMatch(/another state than this login's: refused/);
  });

  test("--paste with just the code", async () => {
    const { t, exit, location } = await pasteLogin();
    t.stdin.write(`${new URL(location).searchParams.get("code")}\n`);
    expect(await exit).toBe(0);
    expect(emu.oauth.codeExchanges).toBe(1);
  });

  test("a store that cannot be written: login stops before the browser step", async () => {
    const blocker = path.join(tempDir("b24-login-"), "file");
    fs.writeFileSync(blocker, "");
    const t = testIo(env());
    const code = await main(["login", ...flags(path.join(blocker, "t.json")), "--port", "0"], t.io);
    expect(code).toBe(1);
    expect(t.err.join("\n")).toMatch(/file\/t\.json/);
    expect(t.out.join("\n")).not.toMatch(/oauth\/authorize/);
  });
});
