import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/portal";
import { CLI_BIN, ROOT } from "./cliRun";

/**
 * The SDKs generated from schema.json (`npm run sdk`): the committed ones are what the generator
 * writes today, and each builds in its own toolchain.
 */
const GEN = path.join(CLI_BIN, "pulumi-bitrix24-gen-sdk");
const SDK = path.join(ROOT, "sdk");

function run(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs = 300_000,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

function filesUnder(dir: string, base = dir): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) for (const [k, v] of filesUnder(p, base)) out.set(k, v);
    else out.set(path.relative(base, p), fs.readFileSync(p, "utf8"));
  }
  return out;
}

test("the committed SDKs are what the generator writes from schema.json today", async () => {
  expect(fs.existsSync(GEN)).toBe(true);
  const out = tempDir("b24-sdk-");
  const r = await run(GEN, [path.join(ROOT, "schema.json"), out], ROOT);
  expect(r.code).toBe(0);
  for (const lang of ["python", "go", "nodejs"]) {
    const fresh = filesUnder(path.join(out, lang));
    const committed = filesUnder(path.join(SDK, lang));
    // go.mod and go.sum are written by scripts/sdk.js after the generator
    for (const extra of ["go.mod", "go.sum"]) committed.delete(extra);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [file, text] of fresh)
      if (committed.get(file) !== text)
        throw new Error(`sdk/${lang}/${file} is stale: run npm run sdk`);
  }
});

test("the SDKs carry our names and version, not the generators' defaults", () => {
  const version = (
    JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const node = JSON.parse(fs.readFileSync(path.join(SDK, "nodejs", "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  expect([node.name, node.version]).toEqual(["pulumi-bitrix24-biconnector-sdk", version]);
  const py = fs.readFileSync(path.join(SDK, "python", "pyproject.toml"), "utf8");
  expect(py).toMatch(/name = "pulumi_bitrix24_biconnector"/);
  expect(py).toContain(`version = "${version}"`);
  const gomod = fs.readFileSync(path.join(SDK, "go", "go.mod"), "utf8");
  expect(gomod).toMatch(/^module github\.com\/[^/]+\/pulumi-bitrix24-biconnector\/sdk\/go$/m);
  expect(gomod).toMatch(/github\.com\/pulumi\/pulumi\/sdk\/v3 v3\.276\.0/);
  for (const f of filesUnder(path.join(SDK, "go")).keys())
    expect(fs.readFileSync(path.join(SDK, "go", f), "utf8")).not.toContain("example.com");
});

test("the Node SDK compiles with tsc; a required input left out is a type error naming it", async () => {
  const dir = tempDir("b24-sdk-node-");
  fs.cpSync(path.join(SDK, "nodejs"), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  fs.mkdirSync(path.join(dir, "node_modules", "@types"), { recursive: true });
  fs.symlinkSync(
    path.join(ROOT, "node_modules", "@pulumi", "pulumi"),
    path.join(dir, "node_modules", "@pulumi", "pulumi"),
  );
  fs.symlinkSync(
    path.join(ROOT, "node_modules", "@types", "node"),
    path.join(dir, "node_modules", "@types", "node"),
  );
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const built = await run(process.execPath, [tsc, "-p", "."], dir);
  if (built.code !== 0) throw new Error(`tsc: ${built.out}`);
  expect(fs.existsSync(path.join(dir, "bin", "connector.js"))).toBe(true);
  fs.writeFileSync(
    path.join(dir, "missing.ts"),
    'import { Connector } from "./connector";\n' +
      'new Connector("c", { logo: "x", urlCheck: "x", urlData: "x", urlTableList: "x", urlTableDescription: "x", settings: [] });\n',
  );
  const bad = await run(
    process.execPath,
    [tsc, "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "missing.ts"],
    dir,
  );
  expect(bad.code).not.toBe(0);
  expect(bad.out).toMatch(/missing\.ts[\s\S]*Property 'title' is missing/);
});

test("the Go SDK builds against github.com/pulumi/pulumi/sdk/v3 v3.276.0", async () => {
  const r = await run("go", ["build", "./..."], path.join(SDK, "go"), 600_000);
  if (r.code !== 0) throw new Error(`go build: ${r.out}`);
});

test("the Python SDK installs with pip into a fresh virtual environment beside pulumi 3.272.0", async () => {
  const dir = tempDir("b24-sdk-py-");
  // From a copy: pip builds inside the source folder and would leave files in the checkout.
  fs.cpSync(path.join(SDK, "python"), path.join(dir, "src"), { recursive: true });
  const venv = path.join(dir, "venv");
  expect((await run("python3", ["-m", "venv", venv], dir)).code).toBe(0);
  const py = path.join(venv, "bin", "python");
  const pip = await run(
    py,
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pulumi==3.272.0", "./src"],
    dir,
    600_000,
  );
  if (pip.code !== 0) throw new Error(`pip: ${pip.out}`);
  const imported = await run(
    py,
    [
      "-c",
      "import pulumi_bitrix24_biconnector as b, inspect; print(b.Connector.__name__, 'title' in inspect.signature(b.Connector._internal_init).parameters)",
    ],
    dir,
  );
  expect(imported.out.trim()).toBe("Connector True");
});
