import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/portal";
import { CLI_BIN, ROOT, filesUnder } from "./cliRun";
import { SDK, TSC, buildNodeSdk, exec, execOrFail, pythonWithSdk } from "./sdkBuilds";

/**
 * The SDKs generated from schema.json (`npm run sdk`): the committed ones are what the generator
 * writes today, and each builds in its own toolchain.
 */
const GEN = path.join(CLI_BIN, "pulumi-bitrix24-gen-sdk");

/** The files under a folder, by their path relative to it. */
function filesByPath(dir: string): Map<string, string> {
  return new Map(filesUnder(dir).map((f) => [path.relative(dir, f.file), f.text]));
}

test("the committed SDKs are what the generator writes from schema.json today", async () => {
  expect(fs.existsSync(GEN)).toBe(true);
  const out = tempDir("b24-sdk-");
  await execOrFail(GEN, [path.join(ROOT, "schema.json"), out], ROOT);
  for (const lang of ["python", "go", "nodejs"]) {
    const fresh = filesByPath(path.join(out, lang));
    const committed = filesByPath(path.join(SDK, lang));
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
  for (const f of filesByPath(path.join(SDK, "go")).keys())
    expect(fs.readFileSync(path.join(SDK, "go", f), "utf8")).not.toContain("example.com");
});

test("the Node SDK compiles with tsc; a required input left out is a type error naming it", async () => {
  const dir = await buildNodeSdk(tempDir("b24-sdk-node-"));
  expect(fs.existsSync(path.join(dir, "bin", "connector.js"))).toBe(true);
  fs.writeFileSync(
    path.join(dir, "missing.ts"),
    'import { Connector } from "./connector";\n' +
      'new Connector("c", { logo: "x", urlCheck: "x", urlData: "x", urlTableList: "x", urlTableDescription: "x", settings: [] });\n',
  );
  const bad = await exec(
    process.execPath,
    [TSC, "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "missing.ts"],
    dir,
  );
  expect(bad.code).not.toBe(0);
  expect(bad.out).toMatch(/missing\.ts[\s\S]*Property 'title' is missing/);
});

test("the Go SDK builds against github.com/pulumi/pulumi/sdk/v3 v3.276.0", async () => {
  await execOrFail("go", ["build", "./..."], path.join(SDK, "go"), 600_000);
});

test("the Python SDK installs with pip into a fresh virtual environment beside pulumi 3.272.0", async () => {
  const dir = tempDir("b24-sdk-py-");
  const py = await pythonWithSdk(dir);
  const imported = await exec(
    py,
    [
      "-c",
      "import pulumi_bitrix24_biconnector as b, inspect; print(b.Connector.__name__, 'title' in inspect.signature(b.Connector._internal_init).parameters)",
    ],
    dir,
  );
  expect(imported.out.trim()).toBe("Connector True");
});
