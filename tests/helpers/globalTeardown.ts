import * as fs from "fs";
import * as path from "path";
import { RUN_TMPDIR } from "./globalSetup";

/** Bytes under a path, not following links. */
function sizeOf(file: string): number {
  const stat = fs.lstatSync(file);
  if (!stat.isDirectory()) return stat.size;
  return fs.readdirSync(file).reduce((sum, name) => sum + sizeOf(path.join(file, name)), 0);
}

/**
 * Removes the run's temporary folder (globalSetup.ts). The test files' own folders are gone by
 * now (testEnvironment.ts); what is left was left by the tools the tests ran, and one line says
 * what, so that a new leak is seen.
 */
export default function globalTeardown(): void {
  const root = process.env[RUN_TMPDIR];
  if (!root) return;
  try {
    const left = fs.readdirSync(root);
    if (left.length > 0) {
      let bytes = 0;
      try {
        bytes = sizeOf(root);
      } catch {
        // A file removed while counting: the size is only for the line below.
      }
      const names = left.slice(0, 5).join(", ") + (left.length > 5 ? ", …" : "");
      console.log(
        `tests: removing ${left.length} item(s) left in ${root} by tools (${(bytes / 1e6).toFixed(1)} MB): ${names}`,
      );
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  }
}
