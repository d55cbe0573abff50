/**
 * The emulator is its own reading of the Bitrix24 docs: not one of its files may import from the
 * provider, or a misreading of the API would pass every test by construction. In-process: reads
 * the source files, opens no socket.
 */
import * as fs from "fs";
import * as path from "path";

const EMULATOR = path.resolve(__dirname, "..", "..", "emulator");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return ["node_modules", "dist"].includes(e.name) ? [] : sourceFiles(full);
    return /\.(ts|js|mjs|cjs|json)$/.test(e.name) ? [full] : [];
  });
}

/** Module specifiers of import/export-from/require/import() in a source text. */
export function specifiers(text: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'`]([^"'`]+)["'`]/g;
  return [...text.matchAll(re)].map((m) => m[1]);
}

/** Whether a specifier, written in `file`, reaches the provider. */
export function reachesProvider(file: string, spec: string): boolean {
  if (spec === "pulumi-bitrix24-biconnector" || spec.startsWith("pulumi-bitrix24-biconnector/"))
    return true;
  if (!spec.startsWith(".")) return false;
  const target = path.resolve(path.dirname(file), spec);
  return !target.startsWith(EMULATOR + path.sep);
}

test("the specifier scanner finds every import form (so the next test can fail)", () => {
  const text = [
    'import { a } from "../../../provider/schema/spec";',
    'export * from "../../../provider";',
    'const x = require("pulumi-bitrix24-biconnector");',
    'import("../../../provider/client/settings");',
    'import "../json";',
  ].join("\n");
  const file = path.join(EMULATOR, "src", "methods", "x.ts");
  const found = specifiers(text);
  expect(found).toHaveLength(5);
  expect(found.filter((s) => reachesProvider(file, s))).toHaveLength(4);
});

test("no file under emulator/ imports from the provider", () => {
  const files = sourceFiles(EMULATOR);
  expect(files.length).toBeGreaterThan(10);
  const offending = files.flatMap((file) =>
    specifiers(fs.readFileSync(file, "utf8"))
      .filter((spec) => reachesProvider(file, spec))
      .map((spec) => `${path.relative(EMULATOR, file)}: ${spec}`),
  );
  expect(offending).toEqual([]);
});
