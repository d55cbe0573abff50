#!/usr/bin/env node
// `npm run sdk`: regenerates sdk/python, sdk/go and sdk/nodejs from schema.json with our generator
// (tools/pulumi/cmd/gen-sdk, built by `npm run pulumi:install`), then completes the Go SDK as a
// module of its own: go.mod requiring github.com/pulumi/pulumi/sdk/v3 at the version of our
// @pulumi/pulumi, and go.sum. The SDKs are committed; CI regenerates them and fails on any change.
"use strict";
const fs = require("fs");
const path = require("path");
const { run } = require("./pulumi-install");

const ROOT = path.resolve(__dirname, "..");
const GEN = path.join(ROOT, ".pulumi-cli", "bin", "pulumi-bitrix24-gen-sdk");
const PULUMI_SDK_VERSION = require("@pulumi/pulumi/package.json").version;

/** Runs a command (async, with a time limit); its output, or an error naming it with its output. */
async function runOrFail(cmd, args, cwd, timeoutMs = 300_000) {
  const r = await run(cmd, args, { cwd, timeoutMs });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.out}`);
  return r.out;
}

async function main() {
  if (!fs.existsSync(GEN)) throw new Error("no SDK generator: run `npm run pulumi:install` first");
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8"));
  process.stdout.write(await runOrFail(GEN, ["schema.json", "sdk"], ROOT));
  const goDir = path.join(ROOT, "sdk", "go");
  fs.writeFileSync(
    path.join(goDir, "go.mod"),
    `module ${schema.language.go.modulePath}\n\ngo 1.25\n\nrequire github.com/pulumi/pulumi/sdk/v3 v${PULUMI_SDK_VERSION}\n`,
  );
  await runOrFail("go", ["mod", "tidy"], goDir, 900_000);
  console.log(`go SDK: go.mod (github.com/pulumi/pulumi/sdk/v3 v${PULUMI_SDK_VERSION}) and go.sum`);
}

main().catch((e) => {
  console.error(`sdk: ${e.message}`);
  process.exit(1);
});
