#!/usr/bin/env node
// `npm run lint:workflows`: actionlint (github.com/rhysd/actionlint, a Go program, built once from
// the Go module proxy into .pulumi-cli/bin beside the Pulumi CLI) checks .github/workflows/: the
// release workflow cannot run on our build machines, so its syntax, expressions and action inputs
// are checked here instead.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const VERSION = "v1.7.12";
const BIN = path.join(ROOT, ".pulumi-cli", "bin");
const ACTIONLINT = path.join(BIN, "actionlint");
const STAMP = path.join(BIN, "actionlint.version");

const built = () =>
  fs.existsSync(ACTIONLINT) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, "utf8") === VERSION;

if (!built()) {
  console.log(
    `actionlint ${VERSION}: building from the Go module proxy into ${path.relative(ROOT, BIN)}`,
  );
  fs.mkdirSync(BIN, { recursive: true });
  execFileSync("go", ["install", `github.com/rhysd/actionlint/cmd/actionlint@${VERSION}`], {
    cwd: ROOT,
    env: { ...process.env, GOBIN: BIN },
    stdio: "inherit",
    timeout: 600_000,
  });
  fs.writeFileSync(STAMP, VERSION);
}
try {
  execFileSync(ACTIONLINT, ["-no-color"], { cwd: ROOT, stdio: "inherit", timeout: 120_000 });
  console.log("actionlint: .github/workflows/ passed");
} catch {
  process.exit(1);
}
