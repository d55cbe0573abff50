import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * The repository: the folder above this file that holds sdk/ (the bench compiles this file into
 * build/ and builds the Node SDK with it too, so the depth is not fixed).
 */
const ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "sdk", "nodejs")) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
})();

/** The generated SDKs (sdk/), built the way their own toolchains build them, in folders of ours. */
export const SDK = path.join(ROOT, "sdk");
export const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** A command, async with a time limit: its exit code and output. */
export function exec(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs = 300_000,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({
        code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
        out: `${stdout}${stderr}${error && !stderr ? String(error.message) : ""}`,
      }),
    ),
  );
}

/** The same, failing with what the command printed when it does not succeed. */
export async function execOrFail(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs?: number,
): Promise<string> {
  const r = await exec(cmd, args, cwd, timeoutMs);
  if (r.code !== 0)
    throw new Error(
      `${path.basename(cmd)} ${args.join(" ")} (in ${cwd}) exited with ${r.code}: ${r.out}`,
    );
  return r.out;
}

/**
 * sdk/nodejs copied into `dir` and compiled with tsc as its package.json's build does (into bin/,
 * against this repository's @pulumi/pulumi and @types/node). Returns `dir`.
 */
export async function buildNodeSdk(dir: string): Promise<string> {
  fs.cpSync(path.join(SDK, "nodejs"), dir, { recursive: true });
  for (const dep of ["@pulumi/pulumi", "@types/node"]) {
    fs.mkdirSync(path.dirname(path.join(dir, "node_modules", dep)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(dir, "node_modules", dep));
  }
  await execOrFail(process.execPath, [TSC, "-p", "."], dir);
  return dir;
}

/**
 * A fresh virtual environment in `dir` with pulumi 3.272.0 (the newest on PyPI) and sdk/python (or
 * another generated Python SDK), installed from a copy: pip builds inside the source folder and
 * would leave files in the checkout. Returns the environment's python.
 */
export async function pythonWithSdk(dir: string, sdk = path.join(SDK, "python")): Promise<string> {
  fs.cpSync(sdk, path.join(dir, "src"), { recursive: true });
  const venv = path.join(dir, "venv");
  await execOrFail("python3", ["-m", "venv", venv], dir, 120_000);
  const python = path.join(venv, "bin", "python");
  await execOrFail(
    python,
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pulumi==3.272.0", "./src"],
    dir,
    600_000,
  );
  return python;
}

/** The inline drivers: a Python or Go project run under the CLI without its language host. */
export const PYTHON_DRIVER = path.join(ROOT, "tests", "cli", "drivers", "inline.py");
const GO_DRIVER = path.join(ROOT, "tests", "cli", "drivers", "inline.go");

/**
 * A Go project (its `program` function; a folder, relative to the repository or absolute) built
 * with the inline driver in place of its main.go, by `go build -overlay`: the project's folder
 * stays as it is. Returns the binary, written into `dir`.
 */
export async function goInline(project: string, dir: string): Promise<string> {
  const folder = path.resolve(ROOT, project);
  const overlay = path.join(dir, "overlay.json");
  fs.writeFileSync(
    overlay,
    JSON.stringify({ Replace: { [path.join(folder, "main.go")]: GO_DRIVER } }),
  );
  const binary = path.join(dir, path.basename(folder));
  await execOrFail("go", ["build", "-overlay", overlay, "-o", binary, "."], folder, 600_000);
  return binary;
}
