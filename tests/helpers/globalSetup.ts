import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Names the run's temporary folder for globalTeardown.ts. */
export const RUN_TMPDIR = "BITRIX24_TESTS_RUN_TMPDIR";

/**
 * One temporary folder per jest run, made the temporary folder (TMPDIR, TMP, TEMP) of everything
 * the run starts: jest's workers are started after this hook and inherit it, and so do the Pulumi
 * CLI, Go, pip and Python they start. What a tool leaves behind (the Pulumi CLI leaves a 44 MB
 * plugin archive, pulumi-plugin-tar…, per run) lands here, and globalTeardown.ts removes the
 * folder. On a 2-core machine jest runs the files in its own process: the same holds there.
 */
export default function globalSetup(): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "b24-tests-"));
  process.env[RUN_TMPDIR] = root;
  for (const name of ["TMPDIR", "TMP", "TEMP"]) process.env[name] = root;
}
