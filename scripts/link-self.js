#!/usr/bin/env node
// Development checkout only: makes `require("pulumi-bitrix24-biconnector")` resolve to this repo
// from any folder inside it, as it does for a user who installed the package. The serialized
// provider shim loads the package by name, so the root Pulumi.yaml program and the examples run
// straight from a checkout. (The link points at the repo itself; npm pack ignores node_modules.)
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-bitrix24-biconnector");
try {
  const current = fs.readlinkSync(link);
  if (path.resolve(path.dirname(link), current) === root) process.exit(0);
  fs.unlinkSync(link);
} catch {
  if (fs.existsSync(link)) process.exit(0); // a real install is there: leave it alone
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync(path.relative(path.dirname(link), root), link, "dir");
