#!/usr/bin/env node
// `npm run plugin:package [-- --tarball <npm pack tarball>]`: the native plugin as an archive for
//
//   pulumi plugin install resource bitrix24 <version> --file <archive>
//
// The CLI unpacks it into its plugin cache (PULUMI_HOME/plugins/resource-bitrix24-v<version>/)
// and runs the `pulumi-resource-bitrix24` file at its root. That file is a launcher for the
// package installed beside it (node_modules: this package from its `npm pack` tarball, its
// dependencies and @pulumi/pulumi); it runs on the `node` found on PATH (Node >= 22). The archive
// goes to build/plugin/pulumi-resource-bitrix24-v<version>-<os>-<arch>.tar.gz; its path is the
// last line printed. With --tarball, that tarball is packaged instead of packing the checkout.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { parseArgs } = require("util");

const ROOT = path.resolve(__dirname, "..");
const PLUGIN = "pulumi-resource-bitrix24";

const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--loglevel=error"], { cwd, encoding: "utf8", stdio: "pipe" });

function main() {
  const { values } = parseArgs({ options: { tarball: { type: "string" } } });
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const sdk = JSON.parse(
    fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
  ).version;
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "b24-plugin-package-"));
  try {
    const tarball =
      values.tarball ??
      path.join(
        staging,
        npm(["pack", "--pack-destination", staging], ROOT).trim().split("\n").pop(),
      );
    const bundle = path.join(staging, "bundle");
    fs.mkdirSync(bundle);
    fs.writeFileSync(
      path.join(bundle, "package.json"),
      JSON.stringify(
        {
          name: `${PLUGIN}-bundle`,
          private: true,
          description: "The pulumi-bitrix24-biconnector native plugin with what it needs to run",
          dependencies: { "@pulumi/pulumi": sdk, "pulumi-bitrix24-biconnector": `file:${tarball}` },
        },
        null,
        2,
      ),
    );
    npm(["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], bundle);
    fs.writeFileSync(
      path.join(bundle, PLUGIN),
      [
        "#!/bin/sh",
        "# pulumi-bitrix24-biconnector's native plugin: the package installed beside this file.",
        'here=$(cd "$(dirname "$0")" && pwd)',
        `exec node "$here/node_modules/pulumi-bitrix24-biconnector/dist/provider/plugin/main.js" "$@"`,
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const out = path.join(ROOT, "build", "plugin");
    fs.mkdirSync(out, { recursive: true });
    const archive = path.join(
      out,
      `${PLUGIN}-v${version}-${process.platform}-${process.arch}.tar.gz`,
    );
    execFileSync("tar", ["-czf", archive, "-C", bundle, "."]);
    console.log(`${PLUGIN} v${version}: ${path.relative(process.cwd(), archive) || archive}`);
    console.log(archive);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

main();
