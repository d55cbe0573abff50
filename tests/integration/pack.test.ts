/**
 * What `npm pack` of the provider holds. This test spawns `npm pack --dry-run --json` (lifecycle
 * scripts off, so nothing is built or written): a child process, so not a unit test.
 */
import { execFileSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

function packedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    timeout: 60_000,
  });
  const [pack] = JSON.parse(out) as { name: string; files: { path: string }[] }[];
  expect(pack.name).toBe("pulumi-bitrix24-biconnector");
  return pack.files.map((f) => f.path);
}

test("npm pack of the provider holds the provider only: no emulator, bench or test file", () => {
  const files = packedFiles();
  expect(files).toContain("dist/provider/index.js");
  expect(files).toContain("package.json");
  const offending = files.filter(
    (f) =>
      /(^|\/)emulator(\/|\.|$)/i.test(f) ||
      /(^|\/)bench(\/|\.|$)/i.test(f) ||
      /(^|\/)tests?(\/|$)/i.test(f) ||
      /\.test\.(js|ts|d\.ts)$/.test(f),
  );
  expect(offending).toEqual([]);
});

test("the provider's package.json names no emulator export, bin or express dependency", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require(path.join(ROOT, "package.json")) as {
    exports: Record<string, unknown>;
    bin?: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  expect(Object.keys(pkg.exports)).not.toContain("./emulator");
  // The package's own commands (the native plugin, the CLI) only: no emulator.
  expect(Object.keys(pkg.bin ?? {}).filter((b) => /emulator/.test(b))).toEqual([]);
  expect(Object.values(pkg.bin ?? {}).filter((p) => !p.startsWith("dist/provider/"))).toEqual([]);
  expect(pkg.dependencies).not.toHaveProperty("express");
  expect(pkg.devDependencies).not.toHaveProperty("express");
});
