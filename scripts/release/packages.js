// The language packages of a release, built by their own toolchains into `out`: the npm package
// (`npm pack` of this checkout), the Python sdist and wheel of sdk/python (PyPA's `build`, in a
// virtual environment of its own under the cache), and a check that the Go module sdk/go builds
// and vets (Go modules are published by a git tag, `sdk/go/v<version>`, not by a file).
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");

const run = (cmd, args, cwd, timeout = 600_000) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: "pipe", timeout });

/** The version every generated SDK carries must be package.json's: they are regenerated from it. */
function checkSdkVersions(version) {
  const found = {
    "schema.json": JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")).version,
    "sdk/nodejs/package.json": JSON.parse(
      fs.readFileSync(path.join(ROOT, "sdk", "nodejs", "package.json"), "utf8"),
    ).version,
    "sdk/python/pyproject.toml": /^\s*version\s*=\s*"([^"]+)"/m.exec(
      fs.readFileSync(path.join(ROOT, "sdk", "python", "pyproject.toml"), "utf8"),
    )?.[1],
  };
  for (const [file, v] of Object.entries(found))
    if (v !== version)
      throw new Error(`${file} says version ${v}, package.json ${version}: run npm run sdk first`);
}

/** `npm pack` of the checkout into `out`; returns the tarball's name. */
function npmPackage(out) {
  return run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", out], ROOT)
    .trim()
    .split("\n")
    .pop();
}

/** The Python sdist and wheel of sdk/python (built from a copy: setuptools writes beside its sources). */
function pythonPackages(out, cache, staging) {
  const venv = path.join(cache, "python-build");
  const python = path.join(venv, "bin", "python");
  if (!fs.existsSync(python)) {
    run("python3", ["-m", "venv", venv], ROOT);
    run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "build"], ROOT);
  }
  const src = path.join(staging, "python");
  fs.cpSync(path.join(ROOT, "sdk", "python"), src, { recursive: true });
  const before = new Set(fs.readdirSync(out));
  run(python, ["-m", "build", "--sdist", "--wheel", "--outdir", out, src], staging);
  return fs.readdirSync(out).filter((f) => !before.has(f));
}

/** sdk/go builds and passes go vet. */
function checkGoModule() {
  const dir = path.join(ROOT, "sdk", "go");
  run("go", ["build", "./..."], dir);
  run("go", ["vet", "./..."], dir);
}

module.exports = { checkSdkVersions, npmPackage, pythonPackages, checkGoModule };
