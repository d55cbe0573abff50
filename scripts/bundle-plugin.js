#!/usr/bin/env node
// The native plugin as one JavaScript file (esbuild): dist/provider/plugin/main.js and everything
// it imports, with this package's package.json written in (packageSchema.ts reads it from there,
// as a bundle has no package folder). What a single executable of the plugin carries (issue 36).
//
//   node scripts/bundle-plugin.js <outfile>      (after `npm run build`)
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

/** Writes the bundle to `outfile`; returns its size in bytes. */
function bundlePlugin(outfile) {
  const esbuild = require("esbuild");
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const { name, version, homepage, author, repository } = pkg;
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, "dist", "provider", "plugin", "main.js")],
    bundle: true,
    platform: "node",
    target: "node20",
    outfile,
    logLevel: "warning",
    define: {
      BITRIX24_BUNDLED_PACKAGE_JSON: JSON.stringify({
        name,
        version,
        homepage,
        author,
        repository,
      }),
    },
  });
  return fs.statSync(outfile).size;
}

module.exports = { bundlePlugin };

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: node scripts/bundle-plugin.js <outfile>");
    process.exit(2);
  }
  console.log(`${out}: ${bundlePlugin(path.resolve(out))} bytes`);
}
