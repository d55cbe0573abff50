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

function install(dir: string, pathDirs: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [path.join(dir, "scripts", "pulumi-install.js")],
      { cwd: dir, timeout: 60_000, env: { PATH: pathDirs.join(path.delimiter), HOME: dir } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

test("no Go: one line per part naming what to install, and a non-zero exit", async () => {
  const dir = copyOfInstaller();
  const r = await install(dir, [path.dirname(process.execPath)]);
  expect(r.code).toBe(1);
  const lines = r.out.trim().split("\n");
  for (const part of ["pulumi v3.276.0", "pulumi-language-yaml v1.25.0"])
    expect(lines).toContain(
      `${part}: no Go here — install Go >= 1.26.6 (https://go.dev/dl/), then run \`npm run pulumi:install\` again`,
    );
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
    /^pulumi v3\.276\.0: Go 1\.21\.4 is older than tools\/pulumi\/go\.mod needs — install Go >= 1\.26\.6/m,
  );
});
