import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/portal";
import {
  Deployment,
  CLI,
  ROOT,
  childOptions,
  deployment,
  expectNoPlaintext,
  filesUnder,
  emulatorAndPlugin,
  readmeBlock,
  runIn,
} from "./cliRun";
import { PYTHON_DRIVER, goInline } from "./sdkBuilds";

/**
 * README's per-language blocks ("Other languages"), run as written against the emulator in a copy
 * of the example and its SDK (a checkout's layout): from nothing to a deployed connector and
 * source, then destroy. The line `pulumi up --yes` needs the language host; where it is not on
 * PATH (our build machines) that one line runs as an Automation API inline program of the same
 * project and stack (tests/cli/drivers), and the test says so.
 */
const cli = emulatorAndPlugin();

/** Whether a program is on the PATH the CLI gets. */
function onPath(d: Deployment, name: string): boolean {
  const dirs = (childOptions(d, ROOT, 0, [cli.pluginBin]).env.PATH ?? "").split(path.delimiter);
  return dirs.some((dir) => dir && fs.existsSync(path.join(dir, name)));
}

const run = (
  d: Deployment,
  cmd: string,
  args: string[],
  cwd: string,
  vars: Record<string, string>,
) => runIn(d, cwd, cmd, args, { vars, morePath: [cli.pluginBin], timeoutMs: 600_000 });

const UP = /^pulumi up --yes$/m;

interface Language {
  language: string;
  example: string;
  /** The SDK the example uses (none for YAML). */
  sdk?: string;
  /** The command that runs one CLI command on the project inline: program and arguments. */
  inline?: (project: string) => Promise<[string, string[]]>;
}

const LANGUAGES: Language[] = [
  {
    language: "python",
    example: "examples/python-quickstart",
    sdk: "sdk/python",
    inline: async (project: string) => [
      path.join(project, "venv", "bin", "python"),
      [PYTHON_DRIVER],
    ],
  },
  {
    language: "go",
    example: "examples/go-quickstart",
    sdk: "sdk/go",
    inline: async (project: string) => [await goInline(project, tempDir("b24-go-inline-")), []],
  },
  // The YAML host is built by `npm run pulumi:install`: this block always runs whole.
  { language: "yaml", example: "examples/yaml-quickstart" },
];

test.each(LANGUAGES)(
  "README's $language block, as written: the example deployed, secrets encrypted, then destroyed",
  async ({ language, example, sdk, inline }) => {
    const d = deployment();
    const checkout = path.join(d.workDir, "checkout");
    for (const dir of sdk ? [example, sdk] : [example])
      fs.cpSync(path.join(ROOT, dir), path.join(checkout, dir), { recursive: true });
    const settings = cli.emu.providerSettings("");
    const pair = cli.emu.oauth.issue(settings.clientId);
    const vars = {
      PORTAL_URL: settings.portalUrl,
      CLIENT_ID: settings.clientId,
      CLIENT_SECRET: settings.clientSecret,
      REFRESH_TOKEN: pair.refreshToken,
      ENDPOINT_URL: cli.emu.sampleConnectorUrl,
      DB_LOGIN: cli.emu.sampleConnectorCredentials.login,
      DB_PASSWORD: cli.emu.sampleConnectorCredentials.password,
      // The test's, not the block's: the emulator's token server, and its loopback endpoints.
      BITRIX24_OAUTH_URL: settings.oauthUrl,
      BITRIX24_ALLOW_PRIVATE_ENDPOINTS: "true",
      BITRIX24_TOKEN_STORE: path.join(d.workDir, "tokens.json"),
    };
    const block = readmeBlock(`lang-${language}`);
    expect(block).toMatch(UP);
    const project = path.join(checkout, example);
    const host = `pulumi-language-${language}`;
    const connectors = cli.emu.state.connectors.size;
    const sources = cli.emu.state.sources.size;
    const asProject = onPath(d, host);
    // Every line as written; `pulumi up --yes` too where the host is there.
    const script = asProject ? block : block.replace(UP, "");
    const ran = await run(d, "bash", ["-euo", "pipefail", "-c", script], checkout, vars);
    if (!ran.ok) throw new Error(ran.output);
    // Later commands the same way: the CLI in the project, or its inline program.
    const command = async (name: string) => {
      const r = asProject
        ? await run(d, CLI, [name, "--yes", "--non-interactive"], project, vars)
        : await (async () => {
            if (!inline) throw new Error(`no ${host} on PATH and no inline driver for ${language}`);
            const [cmd, args] = await inline(project);
            const request = { project, command: name, stack: "dev", env: d.env };
            return run(d, cmd, [...args, JSON.stringify(request)], project, vars);
          })();
      if (!r.ok) throw new Error(r.output);
      return r;
    };
    if (!asProject) {
      console.log(
        `${language}: no ${host} on PATH, so \`pulumi up --yes\` ran as an inline program of the project (every other line as written)`,
      );
      await command("up");
    }
    expect(cli.emu.state.connectors.size).toBe(connectors + 1);
    expect(cli.emu.state.sources.size).toBe(sources + 1);
    expectNoPlaintext(
      [
        ...filesUnder(d.state),
        {
          file: "Pulumi.dev.yaml",
          text: fs.readFileSync(path.join(project, "Pulumi.dev.yaml"), "utf8"),
        },
      ],
      [vars.CLIENT_SECRET, vars.REFRESH_TOKEN, vars.DB_PASSWORD],
    );
    await command("destroy");
    expect(cli.emu.state.connectors.size).toBe(connectors);
  },
  900_000,
);
