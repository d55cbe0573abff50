import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Where a test file's folders are listed for testEnvironment.ts, which removes them when the file
 * ends. A registered symbol: the test code runs in a vm context of its own, the environment
 * outside it, and `Symbol.for` gives both the same key.
 */
export const TEMP_DIRS = Symbol.for("pulumi-bitrix24-biconnector.tests.tempDirs");

/**
 * A fresh folder in the run's temporary folder (globalSetup.ts), removed with everything in it
 * once the test file's last hook has run (its servers stopped, its processes ended). A suite run
 * once left ~670 such folders, some of 126 MB (a real-CLI test's Pulumi home).
 */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  (globalThis as { [TEMP_DIRS]?: string[] })[TEMP_DIRS]?.push(dir);
  return dir;
}
