#!/usr/bin/env node
// `npm run release`: everything a release publishes, into build/release/ (emptied first):
//   - pulumi-resource-bitrix24-v<version>-<os>-<arch>.tar.gz for every platform of
//     scripts/release/targets.js: the plugin as one executable that needs no Node (a Node single
//     executable), or, where none can be made, a launcher for the node on PATH;
//   - the npm package (npm pack), the Python sdist and wheel of sdk/python; sdk/go built and vetted;
//   - SHA256SUMS of every file (the format `sha256sum -c` reads).
// The version is package.json's alone (the SDKs are generated from it; a mismatch stops the
// release). Node binaries are downloaded once into build/release-cache/ (BITRIX24_RELEASE_CACHE).
// Builds on linux-x64 (the blobs are made by running each Node version).
//
//   node scripts/release.js [--targets linux-amd64,darwin-arm64] [--no-packages] [--out DIR]
//
// The last line printed is the output folder. .github/workflows/release.yml publishes it.
"use strict";
const { execFileSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { parseArgs } = require("util");
const { bundlePlugin } = require("./bundle-plugin");
const { TARGETS, archiveName, platformOf } = require("./release/targets");
const { writeLauncher, writeSingleExecutable } = require("./release/sea");
const packages = require("./release/packages");

const ROOT = path.resolve(__dirname, "..");

function options() {
  const { values } = parseArgs({
    options: {
      targets: { type: "string" },
      "no-packages": { type: "boolean" },
      out: { type: "string" },
    },
  });
  const wanted = values.targets?.split(",").map((t) => t.trim());
  const unknown = wanted?.filter((w) => !TARGETS.some((t) => platformOf(t) === w));
  if (unknown?.length)
    throw new Error(
      `--targets: no platform ${unknown.join(", ")}; there are ${TARGETS.map(platformOf).join(", ")}`,
    );
  return {
    targets: wanted ? TARGETS.filter((t) => wanted.includes(platformOf(t))) : TARGETS,
    packages: !values["no-packages"],
    out: path.resolve(values.out ?? path.join(ROOT, "build", "release")),
    cache: path.resolve(
      process.env.BITRIX24_RELEASE_CACHE ?? path.join(ROOT, "build", "release-cache"),
    ),
  };
}

/** Times a step and says what it made. */
async function step(what, fn) {
  const started = Date.now();
  const made = await fn();
  console.log(
    `${what}: ${[made].flat().join(", ")} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

/** The files of `dir` as a gzipped tar with no owner or time of this machine in it. */
function tarGz(archive, dir) {
  const files = fs.readdirSync(dir).sort();
  execFileSync("tar", [
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--mtime=@0",
    "-czf",
    archive,
    "-C",
    dir,
    ...files,
  ]);
}

function sha256sums(out) {
  const lines = fs
    .readdirSync(out)
    .filter((f) => f !== "SHA256SUMS")
    .sort()
    .map((f) => {
      const hash = crypto.createHash("sha256").update(fs.readFileSync(path.join(out, f)));
      return `${hash.digest("hex")}  ${f}\n`;
    });
  fs.writeFileSync(path.join(out, "SHA256SUMS"), lines.join(""));
}

const mb = (file) => `${(fs.statSync(file).size / 1e6).toFixed(1)} MB`;

async function main() {
  const started = Date.now();
  const opts = options();
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  if (!fs.existsSync(path.join(ROOT, "dist", "provider", "plugin", "main.js")))
    throw new Error("no dist/: run npm run build first (npm run release does)");
  packages.checkSdkVersions(version);
  fs.rmSync(opts.out, { recursive: true, force: true });
  fs.mkdirSync(opts.out, { recursive: true });
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "b24-release-"));
  try {
    const bundle = path.join(staging, "plugin.js");
    await step("bundle", () => {
      bundlePlugin(bundle);
      return `${path.basename(bundle)} ${mb(bundle)}`;
    });
    for (const target of opts.targets)
      await step(platformOf(target), async () => {
        const dir = path.join(staging, platformOf(target));
        fs.mkdirSync(dir);
        if (target.node) await writeSingleExecutable(target, bundle, opts.cache, staging, dir);
        else writeLauncher(target, bundle, dir);
        const archive = path.join(opts.out, archiveName(target, version));
        tarGz(archive, dir);
        const kind = target.node ? `single executable on ${target.node}` : "launcher (node >= 22)";
        return `${path.basename(archive)} ${mb(archive)}, ${kind}`;
      });
    if (opts.packages) {
      await step("npm", () => packages.npmPackage(opts.out));
      await step("python", () => packages.pythonPackages(opts.out, opts.cache, staging));
      await step("go", () => (packages.checkGoModule(), "sdk/go builds and vets"));
    }
    sha256sums(opts.out);
    console.log(`release v${version}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(opts.out);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`release: ${e.message}`);
  process.exit(1);
});
