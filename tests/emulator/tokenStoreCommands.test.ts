import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { fingerprint, tokenKey } from "../../provider/core/client/stores/tokenStore";
import { REPO } from "../lifecycle/program";
import { clientWith, oauthSettings, tempDir } from "../helpers/portal";
import { listInParallel } from "../helpers/processes";

const SCRIPTS = path.join(REPO, "examples", "token-stores");
const LIST = "biconnector.connector.list";

describe("command: token stores with the example scripts", () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startEmulator({ rateLimit: false });
  });
  afterEach(() => emu.close());

  test("CI simulation: 5 runs, fresh home each, shared-file.sh outside the homes, expired access token each time", async () => {
    const shared = tempDir("b24-shared-volume-");
    const values = oauthSettings(emu, `command:sh ${path.join(SCRIPTS, "shared-file.sh")}`);
    const outcomes: number[] = [];
    for (let run = 0; run < 5; run++) {
      emu.oauth.expireAll();
      const [r] = await listInParallel(1, values, {
        HOME: tempDir("b24-runner-home-"),
        BITRIX24_TOKEN_DIR: shared,
      });
      expect(r.stdout + r.stderr).toContain('"ok":true');
      outcomes.push(r.code ?? -1);
    }
    expect(outcomes).toEqual([0, 0, 0, 0, 0]);
    // One refresh a run; the configured refresh token only in the first (a second use would fail).
    expect(emu.oauth.refreshes).toBe(5);
    expect(emu.oauth.refreshAttempts).toBe(5);
    const key = tokenKey(emu.portalUrl, emu.app.clientId);
    const stored = JSON.parse(fs.readFileSync(path.join(shared, `${key}.json`), "utf8"));
    expect(stored.origin).toBe(fingerprint(emu.tokens.refreshToken));
    expect(fs.statSync(path.join(shared, `${key}.json`)).mode & 0o777).toBe(0o600);
  });

  test("8 processes on one machine over shared-file.sh: one refresh, no failure", async () => {
    const shared = tempDir("b24-shared-volume-");
    emu.oauth.expireAll();
    const home = tempDir("b24-home-");
    const results = await listInParallel(
      8,
      oauthSettings(emu, `command:sh ${path.join(SCRIPTS, "shared-file.sh")}`),
      { HOME: home, BITRIX24_TOKEN_DIR: shared },
    );
    expect(results.filter((r) => r.code !== 0).map((r) => r.stdout)).toEqual([]);
    expect(emu.oauth.refreshes).toBe(1);
  });

  test("a store that answers 3 (conflict) once: the provider gets again and succeeds", async () => {
    const dir = tempDir("b24-conflict-");
    // Conflict on the first `store`, then behave like shared-file.sh.
    const wrapper = path.join(dir, "once-conflict.sh");
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh
if [ "$1" = store ] && [ ! -f "${dir}/answered" ]; then : > "${dir}/answered"; cat >/dev/null; exit 3; fi
echo "$1" >> "${dir}/calls"
BITRIX24_TOKEN_DIR="${dir}/tokens" exec sh "${path.join(SCRIPTS, "shared-file.sh")}" "$@"
`,
    );
    emu.oauth.expireAll();
    const c = clientWith({
      ...oauthSettings(emu, `command:sh ${wrapper}`),
    });
    await expect(c.call(LIST)).resolves.toEqual([]);
    expect(fs.existsSync(path.join(dir, "answered"))).toBe(true);
    expect(emu.oauth.refreshes).toBe(1);
    // get (load), get (under the lock), [store → 3], get again, store (proof), store (the pair).
    expect(fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n")).toEqual([
      "get",
      "get",
      "get",
      "store",
      "store",
    ]);
  });

  test("github-actions.sh with a stand-in gh: the secret is read from env, the rotated pair written back", async () => {
    const dir = tempDir("b24-gha-");
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const secretFile = path.join(dir, "secret-BITRIX24_TOKENS");
    fs.writeFileSync(
      path.join(bin, "gh"),
      `#!/bin/sh\n[ "$1 $2 $3" = "secret set BITRIX24_TOKENS" ] || exit 9\ncat > "${secretFile}"\n`,
      { mode: 0o755 },
    );
    const values = oauthSettings(emu, `command:sh ${path.join(SCRIPTS, "github-actions.sh")}`);
    let secret = "";
    for (let run = 0; run < 3; run++) {
      emu.oauth.expireAll();
      const [r] = await listInParallel(1, values, {
        PATH: `${bin}:${process.env.PATH}`,
        RUNNER_TEMP: tempDir("b24-runner-temp-"),
        BITRIX24_TOKENS: secret,
      });
      expect(r.stdout + r.stderr).toContain('"ok":true');
      secret = fs.readFileSync(secretFile, "utf8");
    }
    expect(emu.oauth.refreshes).toBe(3);
    expect(JSON.parse(secret).origin).toBe(fingerprint(emu.tokens.refreshToken));
  });
});
