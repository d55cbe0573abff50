/**
 * Tests by layer: tests/unit (in-process, no sockets, no child processes), tests/emulator (provider
 * <-> emulator over loopback), tests/integration (the repo's scripts and examples run as processes
 * against loopback endpoints), tests/lifecycle (the real Pulumi runtime).
 */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/tests/**/*.test.ts"],
  // Lifecycle tests drive several Node processes; a loaded 2-core machine needs the margin.
  testTimeout: 180000,
  // Example programs import the package by name; under jest they get this repo's source.
  moduleNameMapper: { "^pulumi-bitrix24-biconnector$": "<rootDir>/provider/index.ts" },
};
