/** Tests by layer: tests/unit, tests/emulator (provider <-> emulator over loopback), tests/hostile (provider <-> scripted misbehaving servers over loopback), tests/lifecycle (real Pulumi runtime). */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/tests/**/*.test.ts"],
  // Lifecycle tests drive several Node processes; a loaded 2-core machine needs the margin.
  testTimeout: 180000,
  // Example programs import the package by name; under jest they get this repo's source.
  // Tests import the emulator package by name; they get its source too.
  moduleNameMapper: {
    "^pulumi-bitrix24-biconnector$": "<rootDir>/provider/index.ts",
    "^bitrix24-biconnector-emulator$": "<rootDir>/emulator/src/index.ts",
  },
};
