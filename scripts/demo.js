#!/usr/bin/env node
// `npm run demo`: the local emulator plus examples/quickstart under the real Pulumi CLI on a local
// file backend — up, an out-of-band edit in the "portal", refresh showing the drift, up repairing
// it, destroy. The CLI is the one `npm run pulumi:install` builds (.pulumi-cli/bin), else `pulumi`
// on PATH. Where the Node language host is missing (this repository's build machines: its module
// is not served), the program runs as an Automation API inline program, which needs none.
//
// Every CLI run is an async child process with a time limit: the emulator lives in this process
// and must keep answering while the CLI works.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { cliPath, isolatedCli } = require("./inline-program");

const ROOT = path.resolve(__dirname, "..");
const CLI_BIN = path.join(ROOT, ".pulumi-cli", "bin");
const PROGRAM = "examples/quickstart";
const STEP_TIMEOUT_MS = 180_000;

/** Runs a command, its output shown as it comes; resolves with the output, rejects on failure. */
function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const show = (chunk) => {
      const text = chunk.toString();
      out += text;
      if (!options.quiet) process.stdout.write(text.replace(/^@@(result|error) .*$/gm, ""));
    };
    child.stdout.on("data", show);
    child.stderr.on("data", show);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? STEP_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${path.basename(cmd)} ${args[0] ?? ""} failed (${signal ? `killed: no end within ${STEP_TIMEOUT_MS / 1000} s` : `exit ${code}`})`,
          ),
        );
    });
  });
}

/**
 * The CLI to use: PULUMI_CLI when set (only that one), else the installed one, else one on PATH;
 * undefined when there is none.
 */
async function findCli(env) {
  const candidates = process.env.PULUMI_CLI
    ? [process.env.PULUMI_CLI]
    : [path.join(CLI_BIN, "pulumi"), "pulumi"];
  for (const cli of candidates) {
    try {
      const version = await run(cli, ["version"], { env, quiet: true, timeoutMs: 30_000 });
      return { cli, version: version.trim() };
    } catch {
      // next candidate
    }
  }
  return undefined;
}

/** The demo in a folder of its own (state, Pulumi home, token store), removed when it ends. */
async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitrix24-demo-"));
  try {
    return await demo(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

async function demo(dir) {
  const deployment = isolatedCli(dir, "local-demo-only");
  const env = { ...process.env, ...deployment.env, PATH: cliPath() };
  const found = await findCli(env);
  if (!found) {
    console.error(
      "demo: no Pulumi CLI here — run `npm run pulumi:install` (it builds one with Go), then `npm run demo` again.",
    );
    return 1;
  }
  const { settingsAsStackConfig, startEmulator } = require("bitrix24-biconnector-emulator");
  const emu = await startEmulator();
  const tokenStore = path.join(dir, "tokens.json");
  const s = emu.providerSettings(tokenStore);
  const config = settingsAsStackConfig(s);
  const pulumi = async (command, label, withConfig = {}) => {
    console.log(`\n=== ${label}: pulumi ${command}`);
    const request = {
      program: PROGRAM,
      workDir: deployment.workDir,
      stack: "dev",
      command,
      config: withConfig,
      env,
    };
    await run(
      process.execPath,
      [path.join(__dirname, "inline-program.js"), JSON.stringify(request)],
      {
        cwd: ROOT,
        env,
      },
    );
  };
  try {
    console.log(
      `Pulumi CLI ${found.version} (${found.cli}); the program runs as an inline program`,
    );
    console.log(`Emulated Bitrix24 portal: ${emu.url}`);
    await pulumi("up", "1. create the connector", config);
    const [connector] = emu.state.connectors.values();
    console.log(`\n=== 2. someone renames connector ${connector.id} in the portal (out of band)`);
    // Through the emulator's control endpoint, which needs its admin token.
    const renamed = await emu.control(`connectors/${connector.id}`, {
      method: "PATCH",
      body: { title: "Renamed in the portal" },
    });
    if (renamed.status !== 200) throw new Error(`rename failed: HTTP ${renamed.status}`);
    await pulumi("refresh", "3. refresh shows the drift");
    await pulumi("up", "4. up repairs it");
    console.log(`portal now has title: ${emu.state.connectors.get(connector.id).fields.title}`);
    await pulumi("destroy", "5. destroy");
    console.log(`\nconnectors left on the portal: ${emu.state.connectors.size}`);
    return emu.state.connectors.size === 0 ? 0 : 1;
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

module.exports = { findCli };
