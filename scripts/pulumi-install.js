#!/usr/bin/env node
// `npm run pulumi:install`: the real Pulumi CLI and the YAML language host in .pulumi-cli/bin/
// (git-ignored), plus our own pulumi-resource-pulumi-nodejs (the host of the dynamic provider) and
// SDK generator. A `pulumi` on PATH at least as new as the pinned version is used as it is (linked,
// with the pulumi-language-yaml beside it): most people have one and no Go. Otherwise, and always
// with BITRIX24_PULUMI_BUILD=pinned (CI), the pinned versions are built from the Go module proxy,
// each pinned by a tools module in tools/ (go.mod and go.sum; no copied Go source). Idempotent: a
// part already there is kept, one line each. The Node, Python and Go language hosts are not built:
// the Go proxy refuses their modules, so programs run under the CLI as Automation API inline
// programs (no host needed). The CLI in use and its version: .pulumi-cli/bin/.pulumi.source.
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
    // A `pulumi` on PATH that reports this version or a newer one is used instead of building.
    onPath: true,
  },
  {
    // Ours: writes the Python, Go and Node SDKs from schema.json with the vendor's generators.
    name: "pulumi-bitrix24-gen-sdk",
    version: "v3.276.0",
    module: "tools/pulumi",
    pkg: "./cmd/gen-sdk",
    stampsSources: ["tools/pulumi/cmd/gen-sdk/main.go"],
    // Without Go (a CLI on PATH, no Go): only these need it, so the rest goes on.
    neededBy: "`npm run sdk` and tests/cli/release.test.ts",
  },
  {
    name: "pulumi-language-yaml",
    version: "v1.25.0",
    module: "tools/pulumi-language-yaml",
    pkg: "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml",
    versionVar: "github.com/pulumi/pulumi-yaml/pkg/version.Version",
    // Shipped beside every Pulumi CLI: taken from there when that CLI is used.
    besideCli: true,
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

/** "v3.276.0" → [3, 276, 0]; undefined when it is no version. */
function semver(text) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** The first `name` in PATH's folders other than ours, as a real path. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const file = path.join(dir || ".", name);
    if (!dir || path.resolve(dir) === BIN) continue;
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.realpathSync(file);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** `link` made a symbolic link to `target` (replacing what was there). */
function linkTo(link, target) {
  fs.rmSync(link, { force: true });
  fs.symlinkSync(target, link);
}

const SOURCE = path.join(BIN, ".pulumi.source");
const forcedBuild = () => process.env.BITRIX24_PULUMI_BUILD === "pinned";

/**
 * A `pulumi` on PATH no older than the pinned version (not when a build is forced): linked into
 * BIN with the YAML host beside it. Says what it found either way; its path, or undefined.
 */
async function pulumiFromPath(part) {
  if (forcedBuild()) return undefined;
  const found = onPath("pulumi");
  if (!found) return undefined;
  const r = await run(found, ["version"], { timeoutMs: 30_000 });
  const have = r.code === 0 ? semver(r.out) : undefined;
  if (!have || older(have, semver(part.version)) < 0) {
    console.log(
      `pulumi on PATH (${found}) reports ${r.out.trim() || "no version"}, older than ${part.version}: not used`,
    );
    return undefined;
  }
  linkTo(path.join(BIN, "pulumi"), found);
  fs.rmSync(stampFile(part), { force: true });
  fs.writeFileSync(SOURCE, `v${have.join(".")} ${found} (on PATH)\n`);
  return { path: found, version: `v${have.join(".")}` };
}

async function alreadyThere(part, fromPath) {
  const bin = path.join(BIN, part.name);
  if (part.besideCli && fromPath) {
    const beside = path.join(path.dirname(fromPath.path), part.name);
    if (fs.existsSync(beside)) {
      linkTo(bin, beside);
      return `beside the CLI on PATH: ${beside}`;
    }
  }
  const linked = fs.existsSync(bin) && fs.lstatSync(bin).isSymbolicLink();
  if (!linked && fs.existsSync(bin) && fs.existsSync(stampFile(part)))
    if (fs.readFileSync(stampFile(part), "utf8").trim() === stampOf(part))
      return path.relative(ROOT, bin);
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
  let fromPath;
  for (const part of PARTS) {
    const found = await alreadyThere(part, fromPath);
    if (found) {
      console.log(`${part.name} ${part.version}: already there (${found})`);
      if (part.onPath && !fs.existsSync(SOURCE))
        fs.writeFileSync(SOURCE, `${part.version} ${path.join(BIN, part.name)} (built here)\n`);
      continue;
    }
    if (part.onPath) {
      fromPath = await pulumiFromPath(part);
      if (fromPath) {
        console.log(
          `pulumi: ${fromPath.version} on PATH (${fromPath.path}), not older than the pinned ${part.version}: used, nothing built`,
        );
        continue;
      }
    }
    const need = goNeeded(part.module);
    const have = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(go.out);
    const needText = `Go >= ${need.join(".")}`;
    const what = part.onPath
      ? `install the Pulumi CLI >= ${part.version} (https://www.pulumi.com/docs/iac/download-install/) or ${needText} (https://go.dev/dl/) to build it`
      : `install ${needText} (https://go.dev/dl/)`;
    if (go.missing || go.code !== 0 || !have) {
      if (part.neededBy && fromPath) {
        console.log(`${part.name}: not built (no Go here); only ${part.neededBy} need it`);
        continue;
      }
      console.error(
        `${part.name} ${part.version}: no Go here — ${what}, then run \`npm run pulumi:install\` again`,
      );
      failed++;
      // Without a CLI nothing else matters: that one line says all there is to do.
      if (part.onPath) break;
      continue;
    }
    const version = [Number(have[1]), Number(have[2]), Number(have[3] ?? 0)];
    if (older(version, need) < 0) {
      console.error(
        `${part.name} ${part.version}: Go ${version.join(".")} is older than ${part.module}/go.mod needs — ${what}, then run \`npm run pulumi:install\` again`,
      );
      failed++;
      if (part.onPath) break;
      continue;
    }
    console.log(`${part.name} ${part.version}: building (a few minutes the first time)…`);
    try {
      const seconds = await build(part);
      console.log(`${part.name} ${part.version}: built in ${seconds} s`);
      if (part.name === "pulumi")
        fs.writeFileSync(SOURCE, `${part.version} ${path.join(BIN, "pulumi")} (built here)\n`);
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

module.exports = { BIN, PARTS, SOURCE, run };
