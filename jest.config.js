/** Tests by layer: tests/unit, tests/emulator (provider <-> emulator over loopback), tests/lifecycle (real Pulumi runtime). */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/tests/**/*.test.ts"],
  testTimeout: 60000,
};
