import * as fs from "fs";
import NodeEnvironment from "jest-environment-node";
import { TEMP_DIRS } from "./tempDir";

/**
 * jest's Node environment, plus one duty: the folders a test file made with tempDir() are removed
 * when the file is done. An environment's teardown runs after all of the file's hooks; an
 * `afterAll` in a setup file would run before the file's own (hooks run in the order they were
 * added), while its emulators and child processes might still be writing.
 */
export default class TestEnvironment extends NodeEnvironment {
  private readonly dirs: string[] = [];

  override async setup(): Promise<void> {
    await super.setup();
    (this.global as { [TEMP_DIRS]?: string[] })[TEMP_DIRS] = this.dirs;
  }

  override async teardown(): Promise<void> {
    for (const dir of this.dirs.splice(0)) {
      try {
        // A process that outlived its test may still be adding files: rm retries ENOTEMPTY.
        fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
      } catch (e) {
        // Not a test failure: globalTeardown.ts removes the run's whole temporary folder.
        console.warn(`could not remove ${dir} after its test file: ${(e as Error).message}`);
      }
    }
    await super.teardown();
  }
}
