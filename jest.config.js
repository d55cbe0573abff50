/**
 * Tests by layer: tests/unit (in-process, no sockets, no child processes — enforced by
 * tests/helpers/inProcessOnly.ts), tests/emulator (provider <-> emulator over loopback),
 * tests/hostile (provider <-> scripted misbehaving servers over loopback),
 * tests/integration (the repo's scripts and examples run as processes against loopback endpoints),
 * tests/lifecycle (the real Pulumi runtime), tests/cli (the real Pulumi CLI, built by
 * `npm run pulumi:install`).
 */
const common = {
  rootDir: __dirname,
  // jest's Node environment that also removes each test file's folders (tests/helpers/tempDir.ts)
  // when the file ends; the run's own temporary folder, for every process it starts, is made and
  // removed by the global hooks.
  testEnvironment: "<rootDir>/tests/helpers/testEnvironment.ts",
  globalSetup: "<rootDir>/tests/helpers/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/helpers/globalTeardown.ts",
  // build/ holds what scripts write (bench, release, the Node binaries a release downloads, each
  // with a package.json): not modules of the tests.
  modulePathIgnorePatterns: ["<rootDir>/build/"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  // Example programs import the package by name; under jest they get this repo's source.
  // Tests import the emulator package by name; they get its source too.
  moduleNameMapper: {
    "^pulumi-bitrix24-biconnector$": "<rootDir>/provider/index.ts",
    "^pulumi-bitrix24-biconnector/runtime$": "<rootDir>/provider/dynamic/runtime.ts",
    "^bitrix24-biconnector-emulator$": "<rootDir>/emulator/src/index.ts",
  },
};

/**
 * CI runs the whole suite on the machine's Node, then again on each other Node major with
 * BITRIX24_TESTS_SKIP_CLI=1: the real-CLI tests (the slowest, ~2/3 of a run) only once, so the
 * whole CI run stays well within its time.
 */
const skipCli = process.env.BITRIX24_TESTS_SKIP_CLI === "1";
if (skipCli) console.log("BITRIX24_TESTS_SKIP_CLI=1: the real-CLI tests (tests/cli) are not run");
else {
  // Which Pulumi CLI the real-CLI tests run (npm run pulumi:install: the one on PATH when it is at
  // least the pinned version, else the one built here), first in the run's output.
  const source = require("path").join(__dirname, ".pulumi-cli", "bin", ".pulumi.source");
  const fs = require("fs");
  console.log(
    `Pulumi CLI: ${fs.existsSync(source) ? fs.readFileSync(source, "utf8").trim() : "none yet (npm run pulumi:install)"}`,
  );
}

module.exports = {
  // Lifecycle tests drive several Node processes; a loaded 2-core machine needs the margin.
  testTimeout: 180000,
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/tests/unit/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/tests/helpers/inProcessOnly.ts"],
    },
    {
      ...common,
      displayName: "out-of-process",
      testMatch: ["<rootDir>/tests/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/unit/", "<rootDir>/tests/cli/"],
    },
    {
      // The real Pulumi CLI (npm run pulumi:install) against the emulator.
      ...common,
      displayName: "cli",
      testMatch: ["<rootDir>/tests/cli/**/*.test.ts"],
    },
  ].filter((p) => !(skipCli && p.displayName === "cli")),
};
