#!/usr/bin/env node
// Runs one example program under the real Pulumi CLI as an Automation API inline program: the
// program runs in this process and the CLI gets `--client`, so no Node language host is needed
// (this machine cannot have one). One command per process, so every run loads the program fresh,
// as `pulumi up` does.
//
//   node scripts/inline-program.js '<json request>'
//   node scripts/inline-program.js @<file holding the json request>   (one argument may hold at
//   most 128 KiB on Linux: a large stack config, e.g. 1,000 connectors, goes through a file)
//
// The request: { program: "examples/quickstart", workDir, stack, command: "preview" | "up" |
// "refresh" | "destroy" | "export", config?: { key: { value, secret? } | null }, env?,
// parallel? (the CLI's --parallel), quiet? (no CLI output), links? (more packages the program
// imports: name → folder) }.
// It prints the CLI's own output, then one line `@@result <json>`: the change summary, outputs,
// and every engine event's { op, urn, type, diffs } (a refresh's diff names the drifted fields).
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const CLI_ROOT = path.join(ROOT, ".pulumi-cli");

/**
 * A deployment of its own under `base`: a local file backend (`state/`), a temporary PULUMI_HOME
 * (`home/`), the program's folder (`program/`), and the environment every CLI run here gets — a
 * passphrase, no update check, no plugin downloads, nothing outside `base` and loopback.
 */
function isolatedCli(base, passphrase) {
  const dirs = Object.fromEntries(["state", "home", "program"].map((d) => [d, path.join(base, d)]));
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  return {
    workDir: dirs.program,
    state: dirs.state,
    env: {
      PULUMI_BACKEND_URL: `file://${dirs.state}`,
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_HOME: dirs.home,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    },
  };
}

/** PATH for a CLI run: our CLI and its plugins (and `more`), this Node, then the caller's PATH. */
function cliPath(more = []) {
  return [
    path.join(CLI_ROOT, "bin"),
    ...more,
    path.dirname(process.execPath),
    process.env.PATH ?? "",
  ].join(path.delimiter);
}

/**
 * The native plugin as the CLI finds it, `pulumi-resource-bitrix24` on PATH: a launcher in `dir`
 * for this checkout's built plugin (dist/), run by this Node. Returns `dir`, for cliPath.
 */
function pluginLauncher(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const main = path.join(ROOT, "dist", "provider", "plugin", "main.js");
  fs.writeFileSync(
    path.join(dir, "pulumi-resource-bitrix24"),
    `#!/bin/sh\nexec "${process.execPath}" "${main}" "$@"\n`,
    { mode: 0o755 },
  );
  return dir;
}

/**
 * This package as npm installs it: a folder of its own under node_modules holding package.json and
 * the built dist/ (a copy, renewed when the build changed, so a rebuilt package reaches the next
 * command), its dependencies resolved from this checkout's node_modules. A real folder, not a link
 * to the checkout: the Node SDK's serializer writes a module of a package under node_modules into
 * state as a `require` by name, and anything else as code (see provider/dynamic/shim.ts).
 * Commands of one deployment may run at once (tests do): the copy is made beside and renamed into
 * place, and one that finds the same build installed leaves it alone.
 */
function installPackage(at) {
  const stamp = JSON.stringify([
    fs.readFileSync(path.join(ROOT, "package.json"), "utf8"),
    fs.statSync(path.join(ROOT, "dist", "provider", "index.js")).mtimeMs,
  ]);
  const installed = () => {
    try {
      return fs.readFileSync(path.join(at, ".installed-from"), "utf8") === stamp;
    } catch {
      return false;
    }
  };
  if (installed()) return;
  const fresh = `${at}.${process.pid}`;
  fs.rmSync(fresh, { recursive: true, force: true });
  fs.mkdirSync(fresh, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(fresh, "package.json"));
  fs.cpSync(path.join(ROOT, "dist"), path.join(fresh, "dist"), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(fresh, "node_modules"), "dir");
  fs.writeFileSync(path.join(fresh, ".installed-from"), stamp);
  fs.rmSync(at, { recursive: true, force: true });
  try {
    fs.renameSync(fresh, at);
  } catch (e) {
    fs.rmSync(fresh, { recursive: true, force: true });
    // Another command of this deployment installed it meanwhile.
    if (!installed()) throw e;
  }
}

/**
 * A folder the program and its provider run from: the program compiled to JavaScript (it is
 * TypeScript; only its syntax is stripped) and a node_modules that resolves @pulumi/pulumi and
 * this package (built, from dist/), as an installed copy would.
 */
function prepareWorkDir(program, workDir, links = {}) {
  const ts = require("typescript");
  const source = fs.readFileSync(path.resolve(ROOT, program, "index.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  fs.mkdirSync(path.join(workDir, "node_modules", "@pulumi"), { recursive: true });
  fs.writeFileSync(path.join(workDir, "program.js"), outputText);
  const link = (target, at) => {
    if (!fs.existsSync(at)) fs.symlinkSync(target, at, "dir");
  };
  link(
    path.join(ROOT, "node_modules", "@pulumi", "pulumi"),
    path.join(workDir, "node_modules", "@pulumi", "pulumi"),
  );
  installPackage(path.join(workDir, "node_modules", "pulumi-bitrix24-biconnector"));
  for (const [name, target] of Object.entries(links))
    link(target, path.join(workDir, "node_modules", name));
  return path.join(workDir, "program.js");
}

/** The project name the program declares in its Pulumi.yaml. */
function projectName(program) {
  const yaml = fs.readFileSync(path.resolve(ROOT, program, "Pulumi.yaml"), "utf8");
  const m = /^name:\s*(\S+)/m.exec(yaml);
  if (!m) throw new Error(`${program}/Pulumi.yaml names no project`);
  return m[1];
}

function changedOutputs(old, now) {
  if (!old || !now) return [];
  const a = old.outputs ?? {};
  const b = now.outputs ?? {};
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .sort();
}

/**
 * The request's config on the stack. Secrets go through `pulumi config set --secret` (the CLI
 * encrypts them); plain values are written into the stack's settings file (Pulumi.<stack>.yaml)
 * in one go, as a user edits it: `config set` passes the value as one argument, which Linux caps
 * at 128 KiB (1,000 connectors in one value are ~380 KB: E2BIG), and each key set is a CLI
 * process of its own. `null` removes a key.
 */
async function applyConfig(stack, project, config) {
  const qualified = (key) => (key.includes(":") ? key : `${project}:${key}`);
  const plain = {};
  for (const [key, v] of Object.entries(config))
    if (v === null) await stack.removeConfig(key);
    else if (v.secret) await stack.setConfig(key, { value: v.value, secret: true });
    else plain[qualified(key)] = v.value;
  if (Object.keys(plain).length === 0) return;
  const settings = await stack.workspace.stackSettings(stack.name);
  settings.config = { ...settings.config, ...plain };
  await stack.workspace.saveStackSettings(stack.name, settings);
}

async function main(request) {
  const auto = require("@pulumi/pulumi/automation");
  const { program, workDir, stack: stackName, command } = request;
  const entry = prepareWorkDir(program, workDir, request.links);
  const pulumiCommand = await auto.PulumiCommand.get({ root: CLI_ROOT });
  const name = projectName(program);
  const stack = await auto.LocalWorkspace.createOrSelectStack(
    {
      stackName,
      projectName: name,
      program: async () => {
        // The program's own module, loaded in this process: its exports are the stack outputs.
        const exports = require(entry);
        return { ...exports };
      },
    },
    {
      workDir,
      pulumiCommand,
      pulumiHome: request.env?.PULUMI_HOME,
      envVars: request.env ?? {},
      projectSettings: {
        name,
        runtime: "nodejs",
        backend: { url: request.env?.PULUMI_BACKEND_URL },
      },
    },
  );
  await applyConfig(stack, name, request.config ?? {});
  const events = [];
  const onEvent = (e) => {
    const m = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata;
    if (m)
      events.push({
        phase: e.resourcePreEvent ? "pre" : "outputs",
        op: m.op,
        urn: m.urn,
        type: m.type,
        // What the engine reports changed: its diff keys, or (a refresh, which sends none in its
        // events) the outputs that differ between the old and the new state it shows.
        diffs: m.diffs?.length ? m.diffs : changedOutputs(m.old, m.new),
      });
  };
  const onOutput = (out) => process.stdout.write(out);
  const options = {
    onOutput: request.quiet ? undefined : onOutput,
    onEvent,
    color: "never",
    ...(request.parallel ? { parallel: request.parallel } : {}),
  };
  let summary;
  let outputs;
  let exported;
  switch (command) {
    case "preview":
      summary = (await stack.preview({ ...options, diff: true })).changeSummary;
      break;
    case "up":
      summary = (await stack.up({ ...options, diff: true })).summary.resourceChanges;
      break;
    case "refresh":
      summary = (await stack.refresh({ ...options })).summary.resourceChanges;
      break;
    case "destroy":
      summary = (await stack.destroy(options)).summary.resourceChanges;
      break;
    case "export":
      exported = await stack.exportStack();
      break;
    default:
      throw new Error(`unknown command ${command}`);
  }
  if (command !== "export") outputs = await stack.outputs();
  const plain = Object.fromEntries(
    Object.entries(outputs ?? {}).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]),
  );
  return { summary, outputs: plain, events, exported };
}

if (require.main === module)
  main(
    JSON.parse(
      process.argv[2].startsWith("@")
        ? fs.readFileSync(process.argv[2].slice(1), "utf8")
        : process.argv[2],
    ),
  ).then(
    (result) => {
      process.stdout.write(`\n@@result ${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (e) => {
      // The Automation API's error carries the CLI's stderr: it names the failure.
      process.stdout.write(`\n@@error ${JSON.stringify({ message: String(e && e.message) })}\n`);
      process.exit(1);
    },
  );

module.exports = { cliPath, isolatedCli, pluginLauncher, prepareWorkDir, projectName };
