import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../provider/cli";
import { adoptEnv, printedSettings, seedAdoptPortal } from "../helpers/adoptPortal";
import { testIo } from "../helpers/cliIo";
import { clientWith, oauthSettings, tempDir } from "../helpers/portal";
import {
  ConfigValues,
  ROOT,
  childOptions,
  deployment,
  emulatorAndPlugin,
  emulatorConfig,
  expectNoPlaintext,
  filesUnder,
} from "./cliRun";
import { PYTHON_DRIVER, execOrFail, goInline, pythonWithSdk } from "./sdkBuilds";

/**
 * `adopt --language python|go` (issue 34) under the real CLI, each program run by its inline
 * driver (no language host here) on the generated SDK and the native plugin: the first up imports
 * every object with no write to the portal, and a preview then shows no change.
 */
const cli = emulatorAndPlugin();

/** One command of a written project through its driver: ok, the change summary, the output. */
function run(
  cmd: string,
  args: string[],
  request: object,
): Promise<{ ok: boolean; summary?: Record<string, number>; output: string }> {
  const d = (request as { d: ReturnType<typeof deployment> }).d;
  const { d: _d, ...rest } = request as { d: unknown };
  const body = { stack: "dev", workDir: d.workDir, env: d.env, ...rest };
  return new Promise((resolve) =>
    execFile(
      cmd,
      [...args, JSON.stringify(body)],
      childOptions(d, ROOT, 300_000, [cli.pluginBin]),
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith("@@result "));
        const result = line
          ? (JSON.parse(line.slice(9)) as { summary?: Record<string, number> })
          : undefined;
        resolve({ ok: !error && !!result, summary: result?.summary, output: `${stdout}${stderr}` });
      },
    ),
  );
}

/** The stack config a user sets: the portal's credentials, then each setting adopt printed. */
function stackConfig(
  d: ReturnType<typeof deployment>,
  printed: string[],
  program: string,
): ConfigValues {
  const config: ConfigValues = {
    ...emulatorConfig(cli.emu, path.join(d.workDir, "tokens.json")),
    "bitrix24:allowPrivateEndpoints": { value: "true" },
  };
  for (const { key, value } of printedSettings(printed, cli.emu, program))
    config[key] = { value, secret: true };
  return config;
}

async function adopted(language: string) {
  const store = path.join(tempDir(`b24-adopt-${language}-`), "tokens.json");
  cli.emu.state.reset();
  const portal = await seedAdoptPortal(cli.emu, clientWith(oauthSettings(cli.emu, store)));
  const dir = path.join(tempDir("b24-adopt-out-"), `adopted-${language}`);
  const t = testIo(adoptEnv(cli.emu, store));
  const code = await main(["adopt", "--out", dir, "--language", language], t.io);
  const printed = [...t.out, ...t.err];
  if (code !== 0) throw new Error(`adopt failed: ${printed.join("\n")}`);
  return { dir, printed, portal };
}

async function expectAdoptedWithoutWrites(
  runCommand: (command: string, config?: ConfigValues) => ReturnType<typeof run>,
  config: ConfigValues,
) {
  const writes = cli.emu.writeCalls().length;
  const up = await runCommand("up", config);
  if (!up.ok) throw new Error(up.output.slice(-4000));
  expect(up.summary).toEqual({ create: 1, import: 16 }); // the stack, and every object imported
  expect(cli.emu.writeCalls()).toHaveLength(writes);
  const preview = await runCommand("preview");
  if (!preview.ok) throw new Error(preview.output.slice(-4000));
  expect(preview.summary).toEqual({ same: 17 });
  expect(cli.emu.writeCalls()).toHaveLength(writes);
}

test("python: the written project on the generated SDK imports every object, then previews no change", async () => {
  const { dir, printed, portal } = await adopted("python");
  expect(fs.readdirSync(dir).sort()).toEqual(
    [".bitrix24-adopt.json", "Pulumi.yaml", "__main__.py", "requirements.txt"].sort(),
  );
  const python = await pythonWithSdk(tempDir("b24-adopt-py-"));
  const d = deployment();
  const program = fs.readFileSync(path.join(dir, "__main__.py"), "utf8");
  await expectAdoptedWithoutWrites(
    (command, config) => run(python, [PYTHON_DRIVER], { d, project: dir, command, config }),
    stackConfig(d, printed, program),
  );
  expectNoPlaintext(
    [...filesUnder(d.state), ...filesUnder(dir), { file: "printed", text: printed.join("\n") }],
    portal.secrets,
  );
}, 900_000);

test("go: the written project on the generated SDK imports every object, then previews no change", async () => {
  const { dir, printed, portal } = await adopted("go");
  expect(fs.readdirSync(dir).sort()).toEqual(
    [".bitrix24-adopt.json", "Pulumi.yaml", "go.mod", "main.go", "program.go"].sort(),
  );
  // The SDK from this checkout (a user gets it from the module proxy once it is published).
  fs.appendFileSync(
    path.join(dir, "go.mod"),
    `\nreplace github.com/pulumi-bitrix24-biconnector/pulumi-bitrix24-biconnector/sdk/go => ${path.join(ROOT, "sdk", "go")}\n`,
  );
  fs.copyFileSync(path.join(ROOT, "examples", "go-pipeline", "go.sum"), path.join(dir, "go.sum"));
  await execOrFail("go", ["mod", "tidy"], dir, 600_000);
  // What the inline driver (in place of main.go) needs besides: the Automation API's packages.
  for (const pkg of ["auto", "common/tail"])
    await execOrFail(
      "go",
      ["get", `github.com/pulumi/pulumi/sdk/v3/go/${pkg}@v3.276.0`],
      dir,
      600_000,
    );
  const binary = await goInline(dir, tempDir("b24-adopt-go-"));
  const d = deployment();
  const program = fs.readFileSync(path.join(dir, "program.go"), "utf8");
  await expectAdoptedWithoutWrites(
    (command, config) => run(binary, [], { d, project: dir, command, config }),
    stackConfig(d, printed, program),
  );
  expectNoPlaintext(
    [...filesUnder(d.state), ...filesUnder(dir), { file: "printed", text: printed.join("\n") }],
    portal.secrets,
  );
}, 900_000);
