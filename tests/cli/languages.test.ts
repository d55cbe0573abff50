import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";
import {
  ConfigValues,
  Deployment,
  ROOT,
  cliMissing,
  deployment,
  emulatorConfig,
  expectOk,
  childOptions,
  expectNoPlaintext,
  pluginLauncher,
  whatPulumiKeeps,
} from "./cliRun";
import { PYTHON_DRIVER, TSC, buildNodeSdk, execOrFail, goInline, pythonWithSdk } from "./sdkBuilds";

/**
 * examples/python-pipeline, examples/go-pipeline and examples/nodejs-sdk-pipeline: connector,
 * source (password from `config --secret`) and dataset on the generated SDKs, with the native
 * plugin, each run by the real CLI as an Automation API inline program (Python: pulumi 3.272.0
 * from PyPI in a fresh virtual environment; Go: github.com/pulumi/pulumi/sdk/v3 v3.276.0, our SDK
 * by a `replace`; TypeScript: the Node SDK compiled with tsc).
 */
let emu: Emulator;
let python: string;
let goProgram: string;
/** The generated Node SDK, compiled with tsc as its package.json's build does (bin/). */
let nodeSdk: string;
const NODE_SDK = "pulumi-bitrix24-biconnector-sdk";
let pluginBin: string;

beforeAll(async () => {
  const missing = cliMissing();
  if (missing) throw new Error(missing);
  emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true });
  const dir = tempDir("b24-py-");
  python = await pythonWithSdk(dir);
  const sdkDir = await buildNodeSdk(path.join(dir, "nodejs-sdk"));
  // The published form: bin/ with the package.json beside the compiled code.
  nodeSdk = path.join(sdkDir, "bin");
  fs.copyFileSync(path.join(sdkDir, "package.json"), path.join(nodeSdk, "package.json"));
  // The TypeScript example type-checks against it (strict), as a user's program would.
  const check = path.join(dir, "tsconfig.example.json");
  fs.writeFileSync(
    check,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: "commonjs",
        moduleResolution: "node10",
        target: "ES2022",
        skipLibCheck: true,
        types: [],
        baseUrl: ROOT,
        paths: { [NODE_SDK]: [path.join(nodeSdk, "index.d.ts")] },
      },
      files: ["nodejs-sdk-pipeline", "nodejs-sdk-two-portals"].map((e) =>
        path.join(ROOT, "examples", e, "index.ts"),
      ),
    }),
  );
  await execOrFail(process.execPath, [TSC, "-p", check], ROOT);
  goProgram = await goInline("examples/go-pipeline", dir);
  pluginBin = pluginLauncher(path.join(dir, "bin"));
}, 600_000);
afterAll(() => emu?.close());

type Runner = (
  d: Deployment,
  command: string,
  config?: ConfigValues,
) => Promise<{ ok: boolean; output: string; outputs?: Record<string, unknown> }>;

/** One command of a program: its interpreter (or binary) and arguments, then the request. */
const runner =
  (program: () => [string, string[]], more: () => object = () => ({})): Runner =>
  (d, command, config = {}) => {
    const request = { command, stack: "dev", workDir: d.workDir, config, env: d.env, ...more() };
    const [cmd, args] = program();
    return new Promise((resolve) =>
      execFile(
        cmd,
        [...args, JSON.stringify(request)],
        childOptions(d, ROOT, 180_000, [pluginBin]),
        (error, stdout, stderr) => {
          const line = stdout.split("\n").find((l) => l.startsWith("@@result "));
          const result = line
            ? (JSON.parse(line.slice(9)) as { outputs?: Record<string, unknown> })
            : undefined;
          resolve({
            ok: !error && !!result,
            output: `${stdout}${stderr}`,
            outputs: result?.outputs,
          });
        },
      ),
    );
  };

const LANGUAGES: [string, Runner][] = [
  [
    "Python",
    runner(
      () => [python, [PYTHON_DRIVER]],
      () => ({ project: path.join(ROOT, "examples", "python-pipeline") }),
    ),
  ],
  [
    "Go",
    runner(
      () => [goProgram, []],
      () => ({ project: path.join(ROOT, "examples", "go-pipeline") }),
    ),
  ],
  [
    "TypeScript",
    runner(
      () => [process.execPath, [path.join(ROOT, "scripts", "inline-program.js")]],
      () => ({ program: "examples/nodejs-sdk-pipeline", links: { [NODE_SDK]: nodeSdk } }),
    ),
  ],
];

test.each(LANGUAGES)(
  "%s on the generated SDK: up, drift reported by refresh, up repairs, no secret in plaintext, a bad input fails at preview, destroy",
  async (_language, runProgram) => {
    const d = deployment();
    const password = emu.sampleConnectorCredentials.password;
    const credentials = emulatorConfig(emu, path.join(d.workDir, "tokens.json"));
    expectOk(
      await runProgram(d, "up", {
        ...credentials,
        "bitrix24:allowPrivateEndpoints": { value: "true" },
        endpointBaseUrl: { value: emu.sampleConnectorUrl },
        dbLogin: { value: emu.sampleConnectorCredentials.login },
        dbPassword: { value: password, secret: true },
      }),
    );
    expect([emu.state.connectors.size, emu.state.sources.size, emu.state.datasets.size]).toEqual([
      1, 1, 1,
    ]);

    const [source] = emu.state.sources.values();
    source.fields.title = "Renamed in the portal";
    const refresh = await runProgram(d, "refresh");
    expectOk(refresh);
    expect(refresh.output).toMatch(/warehouse-db[^\n]*\[diff: ~title\]/);
    const repaired = await runProgram(d, "up");
    expectOk(repaired);
    // the lookup's typed result: the connector as the portal has it
    expect(repaired.outputs).toMatchObject({
      connectorId: String([...emu.state.connectors.keys()][0]),
      lookedUpTitle: "Warehouse",
    });
    expect(emu.state.sources.get(source.id)?.fields.title).toBe("Warehouse DB");

    expectNoPlaintext(await whatPulumiKeeps(d), [
      password,
      credentials["bitrix24:clientSecret"]!.value,
    ]);

    const calls = emu.calls.length;
    const bad = await runProgram(d, "preview", { endpointBaseUrl: { value: "not a url" } });
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/urlCheck/);
    expect(emu.calls.length).toBe(calls);
    await runProgram(d, "preview", { endpointBaseUrl: { value: emu.sampleConnectorUrl } });

    expectOk(await runProgram(d, "destroy"));
    expect([emu.state.connectors.size, emu.state.sources.size, emu.state.datasets.size]).toEqual([
      0, 0, 0,
    ]);
  },
);

test("two portals in one program: an explicit provider each, each connector on its own portal", async () => {
  const other = await startEmulator({ rateLimit: false });
  try {
    const d = deployment();
    const config: ConfigValues = {};
    for (const [name, portal] of [
      ["sales", emu],
      ["crm", other],
    ] as const) {
      const s = portal.providerSettings();
      const pair = portal.oauth.issue(s.clientId);
      config[`${name}Portal`] = {
        value: JSON.stringify({
          portalUrl: s.portalUrl,
          oauthUrl: s.oauthUrl,
          clientId: s.clientId,
          tokenStore: path.join(d.workDir, `${name}-tokens.json`),
          // A typed provider argument (a number in the schema) reaches the plugin.
          rateLimitShare: 1,
        }),
      };
      config[`${name}PortalClientSecret`] = { value: s.clientSecret, secret: true };
      config[`${name}PortalRefreshToken`] = { value: pair.refreshToken, secret: true };
    }
    const run = runner(
      () => [process.execPath, [path.join(ROOT, "scripts", "inline-program.js")]],
      () => ({ program: "examples/nodejs-sdk-two-portals", links: { [NODE_SDK]: nodeSdk } }),
    );
    const before = emu.state.connectors.size;
    const up = await run(d, "up", config);
    expectOk(up);
    const titles = (e: Emulator) => [...e.state.connectors.values()].map((c) => c.fields.title);
    expect(titles(emu).slice(before)).toEqual(["sales connector"]);
    expect(titles(other)).toEqual(["crm connector"]);
    const down = await run(d, "destroy");
    expectOk(down);
    expect(emu.state.connectors.size).toBe(before);
    expect(other.state.connectors.size).toBe(0);
  } finally {
    await other.close();
  }
});
