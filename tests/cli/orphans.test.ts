import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import axios from "axios";
import { CLI, ROOT, childOptions, deployment, emulatorAndPlugin, runIn } from "./cliRun";
import { seedConnector } from "../helpers/portal";

/**
 * `bitrix24-biconnector orphans` (issue 35, item 2) under the real CLI: a YAML stack of two
 * connectors, and objects of the application that no state holds (made by hand, as a killed run
 * or a deleted state leaves them). It lists exactly those, with the command that imports each and
 * the one that deletes it; the printed import works as written; it deletes only when told, after
 * a typed confirmation (or --yes).
 */
const cli = emulatorAndPlugin();
const CLI_JS = path.join(ROOT, "dist", "provider", "cli", "index.js");

function yaml(): string {
  const e = "https://connector.example.com";
  const connector = (name: string, title: string) => [
    `  ${name}:`,
    "    type: bitrix24:index:Connector",
    "    properties:",
    `      title: ${title}`,
    "      logo: https://connector.example.com/logo.svg",
    `      urlCheck: ${e}/check`,
    `      urlTableList: ${e}/table_list`,
    `      urlTableDescription: ${e}/table_description`,
    `      urlData: ${e}/data`,
    "      settings: [{ name: Login, code: login, type: STRING }]",
  ];
  return [
    "name: bitrix24-orphans",
    "runtime: yaml",
    "resources:",
    ...connector("kept", "Kept"),
    ...connector("alsoKept", "Also kept"),
    "",
  ].join("\n");
}

async function byHand(title: string): Promise<number> {
  const { accessToken } = cli.emu.oauth.issue(cli.emu.providerSettings("").clientId);
  const r = await axios.post(`${cli.emu.portalUrl}rest/biconnector.connector.add`, {
    auth: accessToken,
    fields: { ...seedConnector, title },
  });
  return (r.data as { result: { id: number } }).result.id;
}

test("lists what no state holds with its import and delete commands; the import works as printed; deletes only when confirmed", async () => {
  cli.emu.state.reset();
  const d = deployment();
  const dir = path.join(d.workDir, "project");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml());
  const tokenStore = path.join(d.workDir, "tokens.json");
  const s = cli.emu.providerSettings(tokenStore);
  const vars = {
    BITRIX24_PORTAL_URL: s.portalUrl,
    BITRIX24_CLIENT_ID: s.clientId,
    BITRIX24_CLIENT_SECRET: s.clientSecret,
    BITRIX24_REFRESH_TOKEN: cli.emu.oauth.issue(s.clientId).refreshToken,
    BITRIX24_OAUTH_URL: s.oauthUrl,
    BITRIX24_TOKEN_STORE: tokenStore,
    BITRIX24_ALLOW_PRIVATE_ENDPOINTS: "true",
  };
  const run = async (cmd: string, args: string[]) => {
    const r = await runIn(d, dir, cmd, args, { vars, morePath: [cli.pluginBin] });
    return r;
  };
  const orphans = (...args: string[]) =>
    run(process.execPath, [CLI_JS, "orphans", "--stack", "dev", ...args]);
  for (const args of [
    ["stack", "init", "dev"],
    ["up", "--yes", "--skip-preview"],
  ]) {
    const r = await run(CLI, args);
    if (!r.ok) throw new Error(r.output);
  }
  expect(await orphans()).toMatchObject({ ok: true });
  expect((await orphans()).output).toMatch(/No orphans: stack dev holds each of the 2 objects/);

  const lost = await byHand("Lost in a killed run");
  const stray = await byHand("Stray");
  const listed = await orphans();
  expect(listed.ok).toBe(true);
  console.log(listed.output);
  expect(listed.output).toMatch(/2 of the 4 objects the application sees are in no state of dev/);
  const importLine = new RegExp(
    `pulumi import bitrix24:index:Connector (\\S+) ${lost} --stack dev`,
  ).exec(listed.output);
  expect(importLine).not.toBeNull();
  expect(listed.output).toContain(
    `bitrix24-biconnector orphans --stack dev --delete --only connector:${stray}`,
  );

  // The printed import, as written (plus what a script adds: no prompt).
  const imported = await run(CLI, [
    ...(importLine as RegExpExecArray)[0].split(" ").slice(1),
    "--yes",
  ]);
  if (!imported.ok) throw new Error(imported.output);
  const after = await orphans();
  expect(after.output).toMatch(/1 of the 4 objects/);
  expect(after.output).not.toContain(`connector ${lost} `);

  // --delete asks, and anything but "delete" deletes nothing.
  const refused = await typed(d, dir, vars, ["--delete"], "no\n");
  expect(refused.code).toBe(1);
  expect(refused.output).toMatch(/Nothing deleted/);
  expect(cli.emu.state.connectors.has(stray)).toBe(true);
  // An object a stack holds is never deleted through --only.
  const held = [...cli.emu.state.connectors.values()].find((c) => c.fields.title === "Kept");
  const notOrphan = await orphans("--delete", "--yes", "--only", `connector:${held?.id}`);
  expect(notOrphan.ok).toBe(false);
  expect(notOrphan.output).toMatch(/not an orphan here/);
  const confirmed = await typed(d, dir, vars, ["--delete"], "delete\n");
  expect(confirmed.code).toBe(0);
  expect(cli.emu.state.connectors.has(stray)).toBe(false);
  expect(cli.emu.state.connectors.size).toBe(3);
  expect((await orphans()).output).toMatch(/No orphans: stack dev holds each of the 3 objects/);
});

/** `orphans --stack dev` with `more` flags and `input` typed on its standard input. */
function typed(
  d: ReturnType<typeof deployment>,
  dir: string,
  vars: Record<string, string>,
  more: string[],
  input: string,
): Promise<{ code: number | null; output: string }> {
  const options = childOptions(d, dir, 120_000, [cli.pluginBin]);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_JS, "orphans", "--stack", "dev", ...more], {
      cwd: dir,
      env: { ...options.env, ...vars },
    });
    let output = "";
    child.stdout.on("data", (b) => (output += b));
    child.stderr.on("data", (b) => (output += b));
    const limit = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (code) => {
      clearTimeout(limit);
      clearInterval(ask);
      resolve({ code, output });
    });
    // Typed once the question is asked, as a user would.
    const ask = setInterval(() => {
      if (!/Type "delete" to confirm/.test(output)) return;
      clearInterval(ask);
      child.stdin.end(input);
    }, 50);
  });
}
