import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/portal";

/**
 * `npm run pulumi:install` where it cannot build: a copy of the script and the tools modules in a
 * folder of their own (nothing built there), run with no Go, then with a Go that is too old.
 */
const ROOT = path.resolve(__dirname, "../..");

function copyOfInstaller(): string {
  const dir = tempDir("b24-install-");
  fs.mkdirSync(path.join(dir, "scripts"));
  fs.copyFileSync(
    path.join(ROOT, "scripts", "pulumi-install.js"),
    path.join(dir, "scripts", "pulumi-install.js"),
  );
  fs.cpSync(path.join(ROOT, "tools"), path.join(dir, "tools"), { recursive: true });
  return dir;
}

function install(
  dir: string,
  pathDirs: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [path.join(dir, "scripts", "pulumi-install.js")],
      {
        cwd: dir,
        timeout: 60_000,
        env: { PATH: pathDirs.join(path.delimiter), HOME: dir, ...env },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

test("neither a Pulumi CLI nor Go: one line naming what to install, and a non-zero exit", async () => {
  const dir = copyOfInstaller();
  const r = await install(dir, [path.dirname(process.execPath)]);
  expect(r.code).toBe(1);
  const lines = r.out.trim().split("\n");
  expect(lines.filter((l) => / v\d/.test(l))).toHaveLength(1);
  expect(lines).toContain(
    "pulumi v3.276.0: no Go here — install the Pulumi CLI >= v3.276.0 (https://www.pulumi.com/docs/iac/download-install/) or Go >= 1.26.6 (https://go.dev/dl/) to build it, then run `npm run pulumi:install` again",
  );
});

/** A folder with a fake `pulumi` reporting `version` and a YAML host beside it. */
function fakeCli(version: string): string {
  const bin = tempDir("b24-fake-pulumi-");
  fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "pulumi-language-yaml"), "#!/bin/sh\n", { mode: 0o755 });
  return bin;
}

test("a Pulumi CLI on PATH newer than the pinned one, no Go: used as it is with its YAML host, nothing built, exit 0", async () => {
  const dir = copyOfInstaller();
  const cli = fakeCli("v3.300.1");
  const r = await install(dir, [cli, path.dirname(process.execPath), "/usr/bin", "/bin"]);
  expect(r.out).toContain(
    `pulumi: v3.300.1 on PATH (${fs.realpathSync(path.join(cli, "pulumi"))}), not older than the pinned v3.276.0: used, nothing built`,
  );
  const bin = path.join(dir, ".pulumi-cli", "bin");
  expect(fs.realpathSync(path.join(bin, "pulumi"))).toBe(fs.realpathSync(path.join(cli, "pulumi")));
  expect(fs.realpathSync(path.join(bin, "pulumi-language-yaml"))).toBe(
    fs.realpathSync(path.join(cli, "pulumi-language-yaml")),
  );
  expect(r.out).toMatch(/pulumi-bitrix24-gen-sdk: not built \(no Go here\); only `npm run sdk`/);
  expect(fs.readFileSync(path.join(bin, ".pulumi.source"), "utf8")).toMatch(
    /^v3\.300\.1 \S+pulumi \(on PATH\)/,
  );
  expect(r.code).toBe(0);
});

test("a Pulumi CLI on PATH older than the pinned one is not used; nor a newer one when CI asks for the pinned build", async () => {
  const dir = copyOfInstaller();
  const old = await install(dir, [fakeCli("v3.100.0"), path.dirname(process.execPath)]);
  expect(old.out).toMatch(/reports v3\.100\.0, older than v3\.276\.0: not used/);
  expect(old.out).toMatch(/^pulumi v3\.276\.0: no Go here — install the Pulumi CLI/m);
  expect(old.code).toBe(1);
  const pinned = await install(dir, [fakeCli("v3.300.1"), path.dirname(process.execPath)], {
    BITRIX24_PULUMI_BUILD: "pinned",
  });
  expect(pinned.out).not.toMatch(/used, nothing built/);
  expect(pinned.code).toBe(1);
});

test("a Go older than the tools modules need: says which Go is there and which to install", async () => {
  const dir = copyOfInstaller();
  const bin = path.join(dir, "fake-bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "go"), "#!/bin/sh\necho 'go version go1.21.4 linux/amd64'\n", {
    mode: 0o755,
  });
  const r = await install(dir, [bin, path.dirname(process.execPath), "/usr/bin", "/bin"]);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(
    /^pulumi v3\.276\.0: Go 1\.21\.4 is older than tools\/pulumi\/go\.mod needs — install the Pulumi CLI >= v3\.276\.0 .* or Go >= 1\.26\.6/m,
  );
});
