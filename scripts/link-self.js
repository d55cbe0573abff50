#!/usr/bin/env node
// Development checkout only: makes `require("pulumi-bitrix24-biconnector")` resolve to this repo
// from any folder inside it, as it does for a user who installed the package. The serialized
// provider shim loads the package by name, so the root Pulumi.yaml program and the examples run
// straight from a checkout. (The link points at the repo itself; npm pack ignores node_modules.)
//
// `prepare` runs it; npm runs `prepare` on `npm install`/`npm ci` in this folder and before
// `npm pack`/`publish`, never when the package is installed from the registry or a tarball (and
// this script is not in the tarball). `npm test` runs it too: `npm install <package>` removes the
// link (npm prunes what package-lock.json does not list) without running `prepare`. A copy of the
// sources that is not a git checkout (a source archive, a folder copied elsewhere) gets no link
// either: `.git` (a folder, or a file in a git worktree) is what marks the development checkout
// this link is for.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
if (!fs.existsSync(path.join(root, ".git"))) process.exit(0);
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
