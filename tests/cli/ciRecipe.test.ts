import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/portal";
import {
  Deployment,
  ROOT,
  deployment,
  expectNoPlaintext,
  filesUnder,
  emulatorAndPlugin,
  readmeBlock,
  runCli,
  runIn,
  STACK_LOCK_REFUSAL,
} from "./cliRun";

/**
 * README's "Use in CI", run as written: the once-block on "your machine", then the CI block from
 * fresh checkouts (each its own PULUMI_HOME: a new runner), one after the other and two at once,
 * with `examples/yaml-quickstart` on the native plugin. The emulator stands in for the portal and
 * for oauth.bitrix.info.
 */
const cli = emulatorAndPlugin();

/** A block run by bash (stopping at the first failing command) in `cwd`, the plugin on PATH. */
const runBlock = (d: Deployment, cwd: string, block: string, vars: Record<string, string>) =>
  runIn(d, cwd, "bash", ["-euo", "pipefail", "-c", block], { vars, morePath: [cli.pluginBin] });

/** A runner of its own: a PULUMI_HOME of its own, a checkout of the committed project. */
function checkout(repo: string): { d: Deployment; dir: string } {
  const d = deployment();
  const dir = path.join(d.workDir, "checkout");
  fs.cpSync(repo, dir, { recursive: true });
  return { d, dir };
}

test("README's Use in CI, as written: runs in turn reuse the stored pair, two ups at once are stopped by the stack lock, a preview beside an up is safe, no token spent twice, nothing secret in plaintext", async () => {
  const settings = cli.emu.providerSettings("");
  const pair = cli.emu.oauth.issue(settings.clientId);
  const shared = tempDir("b24-shared-volume-");
  const dbPassword = cli.emu.sampleConnectorCredentials.password;
  const vars = {
    STATE_URL: `file://${path.join(shared, "state")}`,
    PASSPHRASE: "ci-passphrase-only-in-the-secret-store",
    PORTAL_URL: settings.portalUrl,
    CLIENT_ID: settings.clientId,
    CLIENT_SECRET: settings.clientSecret,
    REFRESH_TOKEN: pair.refreshToken,
    SHARED_VOLUME: shared,
    // The test's, not the recipe's: the emulator's token server, and its loopback endpoints.
    BITRIX24_OAUTH_URL: settings.oauthUrl,
    BITRIX24_ALLOW_PRIVATE_ENDPOINTS: "true",
  };
  fs.mkdirSync(path.join(shared, "state"));

  // Your machine: the project (examples/yaml-quickstart with the token store script), the once-block,
  // then the program's own config as its comments say.
  const mine = deployment();
  const repo = path.join(mine.workDir, "repo");
  fs.cpSync(path.join(ROOT, "examples", "yaml-quickstart"), repo, { recursive: true });
  fs.mkdirSync(path.join(repo, "token-stores"));
  fs.copyFileSync(
    path.join(ROOT, "examples", "token-stores", "shared-file.sh"),
    path.join(repo, "token-stores", "shared-file.sh"),
  );
  const once = await runBlock(mine, repo, readmeBlock("ci-once"), vars);
  if (!once.ok) throw new Error(once.output);
  const own = {
    ...mine,
    env: {
      ...mine.env,
      PULUMI_BACKEND_URL: vars.STATE_URL,
      PULUMI_CONFIG_PASSPHRASE: vars.PASSPHRASE,
    },
  };
  for (const args of [
    ["endpointBaseUrl", cli.emu.sampleConnectorUrl],
    ["dbLogin", cli.emu.sampleConnectorCredentials.login],
    ["--secret", "dbPassword", dbPassword],
  ])
    expect((await runCli(own, repo, ["config", "set", "--stack", "prod", ...args])).code).toBe(0);

  const ci = readmeBlock("ci-run");
  const refreshes = () => cli.emu.oauth.refreshes;
  const [a, b] = [checkout(repo), checkout(repo)];

  // First run: the configured refresh token is spent once, the new pair lands in the store.
  const first = await runBlock(a.d, a.dir, ci, vars);
  if (!first.ok) throw new Error(first.output);
  expect(refreshes()).toBe(1);
  expect(cli.emu.state.connectors.size).toBe(1);
  expect(cli.emu.state.sources.size).toBe(1);
  const storeDir = path.join(shared, "bitrix24-tokens");
  const stored = filesUnder(storeDir).filter((f) => f.file.endsWith(".json"));
  const entries = (prefix: string) =>
    stored.filter((f) => path.basename(f.file).startsWith(prefix));
  expect(entries("BITRIX24_TOKENS_")).toHaveLength(1);
  expect(entries("BITRIX24_TOKENS_")[0].text).not.toContain(pair.refreshToken);
  // Beside the pair, in the same store: the record of this run's creates (issue 35), which the
  // next runner finds if this one was killed; resources and ids only.
  const [records] = entries("BITRIX24_CREATES_");
  expect(stored).toHaveLength(2);
  expect(Object.keys(JSON.parse(records.text).creates).sort()).toEqual(
    ["Connector::warehouse", "Dataset::deals", "Source::warehouseDb"].map(
      (r) => `urn:pulumi:prod::bitrix24-yaml-quickstart::bitrix24:index:${r}`,
    ),
  );

  // Another runner, later: the stored pair, no refresh, no change.
  const second = await runBlock(b.d, b.dir, ci, vars);
  if (!second.ok) throw new Error(second.output);
  expect(second.output).toMatch(/unchanged/);
  expect(refreshes()).toBe(1);
  // Its diffs showed the engine holds all three: their records ended.
  expect(fs.readFileSync(records.file, "utf8").trim()).toBe("");

  // The access token expired; two pipelines at once.
  cli.emu.oauth.expireAll();
  const both = await Promise.all([runBlock(a.d, a.dir, ci, vars), runBlock(b.d, b.dir, ci, vars)]);
  console.log(`two CI runs at once: ${both.map((r) => (r.ok ? "ok" : "stopped")).join(", ")}`);
  expect(both.some((r) => r.ok)).toBe(true);
  for (const r of both.filter((r) => !r.ok)) expect(r.output).toMatch(STACK_LOCK_REFUSAL);
  expect(refreshes()).toBe(2);
  expect(cli.emu.requestLines.join("\n")).not.toMatch(/invalid_grant/);
  expect(cli.emu.state.connectors.size).toBe(1);

  // A preview takes no stack lock: beside an up, both run; the store lets one of them refresh.
  cli.emu.oauth.expireAll();
  const preview = ci.replace(/^pulumi up .*$/m, "pulumi preview --stack prod --non-interactive");
  const side = await Promise.all([
    runBlock(a.d, a.dir, ci, vars),
    runBlock(b.d, b.dir, preview, vars),
  ]);
  for (const r of side) if (!r.ok) throw new Error(r.output);
  expect(refreshes()).toBe(3);
  expect(cli.emu.requestLines.join("\n")).not.toMatch(/invalid_grant/);

  // Nothing secret in plaintext in what the runners and the shared volume keep, nor in the output.
  const kept = [
    ...filesUnder(path.join(shared, "state")),
    ...filesUnder(repo).filter((f) => /Pulumi\..*ya?ml$/.test(f.file)),
    ...filesUnder(storeDir).filter((f) => path.basename(f.file).startsWith("BITRIX24_CREATES_")),
    ...[first, second, ...both, ...side].map((r, i) => ({
      file: `CI run ${i + 1}'s output`,
      text: r.output,
    })),
  ];
  expectNoPlaintext(kept, [vars.CLIENT_SECRET, vars.REFRESH_TOKEN, vars.PASSPHRASE, dbPassword]);

  // The same job with `destroy` in place of `up` leaves the portal empty.
  const destroyed = await runBlock(
    a.d,
    a.dir,
    ci.replace(/^pulumi up .*$/m, "pulumi destroy --stack prod --yes --non-interactive"),
    vars,
  );
  if (!destroyed.ok) throw new Error(destroyed.output);
  expect(cli.emu.state.connectors.size).toBe(0);
}, 600_000);
