import * as fs from "fs";
import * as path from "path";
import { runNode } from "../helpers/processes";
import { tempDir } from "../helpers/tempDir";
import { FixtureRecord } from "./fixtures/tempFolders/useTempFolders";

/**
 * The suite leaves nothing in the temporary folder: two fixture files run, one after the other, in
 * a jest of their own with this repository's jest settings (the out-of-process project's), under
 * a TMPDIR of this test's.
 */
const ROOT = path.resolve(__dirname, "../..");

interface JestProject {
  displayName: string;
  [option: string]: unknown;
}

test("a test file's folders are gone when it ends, the run's temporary folder when the run ends", async () => {
  // jest.config.js says on loading which Pulumi CLI the real-CLI tests use: not news here.
  const quiet = jest.spyOn(console, "log").mockImplementation(() => undefined);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's own CommonJS config
  const { projects } = require(path.join(ROOT, "jest.config.js")) as { projects: JestProject[] };
  quiet.mockRestore();
  const project = projects.find((p) => p.displayName === "out-of-process");
  const given = tempDir("b24-tempfolders-");
  const log = path.join(given, "log.jsonl");
  const config = {
    ...project,
    rootDir: ROOT,
    testMatch: ["<rootDir>/tests/integration/fixtures/tempFolders/*.fixture.ts"],
    testPathIgnorePatterns: ["/node_modules/"],
    // Not under the TMPDIR given, which must end up holding only the log.
    cacheDirectory: tempDir("b24-tempfolders-cache-"),
  };
  const run = await runNode(
    path.join(ROOT, "node_modules", "jest", "bin", "jest.js"),
    ["--config", JSON.stringify(config), "--runInBand", "--ci"],
    { ...process.env, TMPDIR: given, B24_FIXTURE_LOG: log },
    { timeoutMs: 120_000 },
  );
  const out = `${run.stdout}${run.stderr}`;
  expect({ code: run.code, out }).toMatchObject({ code: 0 });

  const records = fs
    .readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as FixtureRecord);
  expect(records.map((r) => r.name).sort()).toEqual(["a", "b"]);
  const [first, second] = records;
  // The run had a temporary folder of its own inside the one given, the same for both files.
  expect(path.dirname(first.tmp)).toBe(given);
  expect(second.tmp).toBe(first.tmp);
  for (const r of records) expect(path.dirname(r.dir)).toBe(r.tmp);
  // The second file began after the first file's folder had been removed.
  expect(first.earlierGone).toEqual([]);
  expect(second.earlierGone).toEqual([true]);
  // What the "tool" left is named in one line, then removed with the run's folder.
  expect(out).toMatch(
    /tests: removing 2 item\(s\) left in \S+ by tools \([\d.]+ MB\): left-by-a-tool-/,
  );
  expect(fs.existsSync(first.tmp)).toBe(false);
  expect(fs.readdirSync(given)).toEqual(["log.jsonl"]);
});
