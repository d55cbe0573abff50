#!/usr/bin/env node
// `npm run demo`: the local emulator plus examples/quickstart, driven by the real Pulumi CLI on a
// local file backend — up, an out-of-band edit in the "portal", refresh showing the drift, up
// repairing it, destroy. Needs the Pulumi CLI (on PATH, else `npx pulumi`); without it, says so and
// exits non-zero.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

function findCli() {
  const candidates = [["pulumi"], ["npx", "--yes", "pulumi"]];
  for (const cmd of candidates) {
    const r = spawnSync(cmd[0], [...cmd.slice(1), "version"], {
      encoding: "utf8",
      timeout: 300_000,
    });
    if (r.status === 0) return cmd;
  }
  return undefined;
}

function programDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitrix24-demo-"));
  const example = path.join(ROOT, "examples", "quickstart");
  for (const f of ["Pulumi.yaml", "index.ts", "package.json"])
    fs.copyFileSync(path.join(example, f), path.join(dir, f));
  fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  fs.symlinkSync(
    path.join(ROOT, "node_modules", "@pulumi", "pulumi"),
    path.join(dir, "node_modules", "@pulumi", "pulumi"),
    "dir",
  );
  fs.symlinkSync(ROOT, path.join(dir, "node_modules", "pulumi-bitrix24-biconnector"), "dir");
  fs.mkdirSync(path.join(dir, "state"));
  return dir;
}

async function main() {
  const cli = findCli();
  if (!cli) {
    console.error(
      "demo: no Pulumi CLI here (not on PATH, and `npx pulumi` could not fetch it) — install it from https://www.pulumi.com/docs/install/ and run `npm run demo` again.",
    );
    return 1;
  }
  const { startEmulator } = require("bitrix24-biconnector-emulator");
  const emu = await startEmulator();
  const dir = programDir();
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "local-demo-only",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
  };
  const pulumi = (args, label) => {
    if (label) console.log(`\n=== ${label}: pulumi ${args.join(" ")}`);
    const r = spawnSync(cli[0], [...cli.slice(1), ...args, "--non-interactive"], {
      cwd: dir,
      env,
      stdio: "inherit",
    });
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed (exit ${r.status})`);
  };
  try {
    console.log(`Emulated Bitrix24 portal: ${emu.url}`);
    pulumi(["stack", "init", "dev"]);
    pulumi(["config", "set", "bitrix24:portalUrl", emu.portalUrl]);
    pulumi(["config", "set", "bitrix24:oauthUrl", emu.oauthUrl]);
    pulumi(["config", "set", "bitrix24:clientId", emu.app.clientId]);
    pulumi(["config", "set", "--secret", "bitrix24:clientSecret", emu.app.clientSecret]);
    pulumi(["config", "set", "--secret", "bitrix24:accessToken", emu.tokens.accessToken]);
    pulumi(["config", "set", "--secret", "bitrix24:refreshToken", emu.tokens.refreshToken]);
    pulumi(["config", "set", "bitrix24:tokenStore", path.join(dir, "tokens.json")]);
    pulumi(["up", "--yes"], "1. create the connector");
    const [connector] = emu.state.connectors.values();
    console.log(`\n=== 2. someone renames connector ${connector.id} in the portal (out of band)`);
    // Through the emulator's control endpoint, which needs its admin token.
    const renamed = await emu.control(`connectors/${connector.id}`, {
      method: "PATCH",
      body: { title: "Renamed in the portal" },
    });
    if (renamed.status !== 200) throw new Error(`rename failed: HTTP ${renamed.status}`);
    pulumi(["refresh", "--yes", "--diff"], "3. refresh shows the drift");
    pulumi(["up", "--yes", "--diff"], "4. up repairs it");
    console.log(`portal now has title: ${emu.state.connectors.get(connector.id).fields.title}`);
    pulumi(["destroy", "--yes"], "5. destroy");
    console.log(`\nconnectors left on the portal: ${emu.state.connectors.size}`);
    return 0;
  } finally {
    await emu.close();
  }
}

if (require.main === module)
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`demo: ${e.message}`);
      process.exit(1);
    },
  );

// For tests/integration/demo.test.ts: the parts that run without a Pulumi CLI.
module.exports = { findCli, programDir };
