#!/usr/bin/env node
// `npm run pulumi:install`: the real Pulumi CLI and the YAML language host, built from the Go
// module proxy into .pulumi-cli/bin/ (git-ignored), plus our own pulumi-resource-pulumi-nodejs (the
// host of the dynamic provider). Every version is pinned by a tools module in tools/ (go.mod and
// go.sum; no copied Go source). Idempotent: a part already built with its pinned version is kept,
// one line each. The Node, Python and Go language hosts are not built: the Go proxy refuses their
// modules, so Node programs run under the CLI as Automation API inline programs (no host needed).
"use strict";
const { execFile } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, ".pulumi-cli", "bin");
const BUILD_TIMEOUT_MS = 20 * 60_000;

/** What is built, from which tools module, with which version stamped in. */
const PARTS = [
  {
    name: "pulumi",
    version: "v3.276.0",
    module: "tools/pulumi",
    pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
    versionVar: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
    // A `pulumi` on PATH that reports this version is as good as one built here.
    onPath: true,
  },
  {
    // Ours: writes the Python, Go and Node SDKs from schema.json with the vendor's generators.
    name: "pulumi-bitrix24-gen-sdk",
    version: "v3.276.0",
    module: "tools/pulumi",
    pkg: "./cmd/gen-sdk",
    stampsSources: ["tools/pulumi/cmd/gen-sdk/main.go"],
  },
  {
    name: "pulumi-language-yaml",
    version: "v1.25.0",
    module: "tools/pulumi-language-yaml",
    pkg: "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml",
    versionVar: "github.com/pulumi/pulumi-yaml/pkg/version.Version",
  },
];

/** Runs a command asynchronously with a time limit; resolves with its exit code and output. */
function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, ...options },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          missing: error?.code === "ENOENT",
          timedOut: Boolean(error?.killed),
          out: `${stdout}${stderr}`,
        }),
    );
  });
}

/** The `go` directive of a tools module: the oldest Go that builds it. */
function goNeeded(moduleDir) {
  const m = /^go (\d+)\.(\d+)(?:\.(\d+))?/m.exec(
    fs.readFileSync(path.join(ROOT, moduleDir, "go.mod"), "utf8"),
  );
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [1, 0, 0];
}

const older = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** The pinned inputs of a part: its version and its module's go.mod and go.sum. */
function stampOf(part) {
  const h = crypto.createHash("sha256").update(part.version);
  for (const f of ["go.mod", "go.sum"]) h.update(fs.readFileSync(path.join(ROOT, part.module, f)));
  for (const f of part.stampsSources ?? []) h.update(fs.readFileSync(path.join(ROOT, f)));
  return h.digest("hex").slice(0, 16);
}
const stampFile = (part) => path.join(BIN, `.${part.name}.stamp`);

async function alreadyThere(part) {
  const bin = path.join(BIN, part.name);
  if (fs.existsSync(bin) && fs.existsSync(stampFile(part)))
    if (fs.readFileSync(stampFile(part), "utf8").trim() === stampOf(part)) return bin;
  // The CLI says its version: one built here before stamps existed, or one on PATH, is kept.
  if (part.name === "pulumi")
    for (const candidate of [bin, ...(part.onPath ? ["pulumi"] : [])]) {
      const r = await run(candidate, ["version"], { timeoutMs: 30_000 });
      if (r.code === 0 && r.out.trim() === part.version) return candidate === bin ? bin : "PATH";
    }
  return undefined;
}

async function build(part) {
  const bin = path.join(BIN, part.name);
  const started = Date.now();
  const ldflags = part.versionVar ? ["-ldflags", `-X ${part.versionVar}=${part.version}`] : [];
  const r = await run("go", ["build", "-o", bin, ...ldflags, part.pkg], {
    cwd: path.join(ROOT, part.module),
    timeoutMs: BUILD_TIMEOUT_MS,
  });
  if (r.code !== 0) {
    const why = r.timedOut ? `no result within ${BUILD_TIMEOUT_MS / 60_000} min` : r.out.trim();
    throw new Error(
      `${part.name} ${part.version}: \`go build ${part.pkg}\` in ${part.module} failed:\n${why.split("\n").slice(-15).join("\n")}`,
    );
  }
  fs.writeFileSync(stampFile(part), `${stampOf(part)}\n`);
  return Math.round((Date.now() - started) / 1000);
}

/**
 * The dynamic-provider host the CLI starts for `pulumi-nodejs` resources: node running
 * @pulumi/pulumi's cmd/dynamic-provider, resolved from the program's folder (so the program's own
 * @pulumi/pulumi serves it), else from this repository.
 */
function writeNodejsProviderHost() {
  const file = path.join(BIN, "pulumi-resource-pulumi-nodejs");
  const fallback = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider");
  const script = `#!/bin/sh
# Written by \`npm run pulumi:install\`: the host of Pulumi dynamic providers (Node).
entry=$(node -e 'try { process.stdout.write(require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [process.cwd()] })) } catch { process.stdout.write(process.argv[1]) }' ${JSON.stringify(fallback)})
exec node "$entry" "$@"
`;
  const same = fs.existsSync(file) && fs.readFileSync(file, "utf8") === script;
  if (!same) fs.writeFileSync(file, script, { mode: 0o755 });
  return same;
}

async function main() {
  fs.mkdirSync(BIN, { recursive: true });
  let failed = 0;
  const go = await run("go", ["version"], { timeoutMs: 30_000 });
  for (const part of PARTS) {
    const found = await alreadyThere(part);
    if (found) {
      console.log(
        `${part.name} ${part.version}: already built (${found === "PATH" ? "the one on PATH" : path.relative(ROOT, found)})`,
      );
      continue;
    }
    const need = goNeeded(part.module);
    const have = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(go.out);
    const needText = `Go >= ${need.join(".")}`;
    if (go.missing || go.code !== 0 || !have) {
      console.error(
        `${part.name} ${part.version}: no Go here — install ${needText} (https://go.dev/dl/), then run \`npm run pulumi:install\` again`,
      );
      failed++;
      continue;
    }
    const version = [Number(have[1]), Number(have[2]), Number(have[3] ?? 0)];
    if (older(version, need) < 0) {
      console.error(
        `${part.name} ${part.version}: Go ${version.join(".")} is older than ${part.module}/go.mod needs — install ${needText} (https://go.dev/dl/), then run \`npm run pulumi:install\` again`,
      );
      failed++;
      continue;
    }
    console.log(`${part.name} ${part.version}: building (a few minutes the first time)…`);
    try {
      const seconds = await build(part);
      console.log(`${part.name} ${part.version}: built in ${seconds} s`);
    } catch (e) {
      console.error(e.message);
      failed++;
    }
  }
  const same = writeNodejsProviderHost();
  console.log(`pulumi-resource-pulumi-nodejs: ${same ? "already there" : "written"}`);
  if (!failed)
    console.log(`Put ${path.relative(process.cwd(), BIN) || "."} first on PATH to use them.`);
  return failed ? 1 : 0;
}

if (require.main === module)
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`pulumi:install: ${e.message}`);
      process.exit(1);
    },
  );

module.exports = { BIN, PARTS, run };
