import { execFile, execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const DEMO = path.join(ROOT, "scripts", "demo.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain Node script of the repo
const demo = require(DEMO) as { programDir(): string };

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [DEMO], { env, timeout: 600_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
}

describe("npm run demo", () => {
  test("without a Pulumi CLI it prints one line naming where to get it and exits 1", async () => {
    // No `pulumi` on PATH (only node's own folder), and `npx pulumi` cannot fetch it: npm is
    // offline with an empty cache. That holds on any machine, connected or not.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "demo-home-"));
    const r = await runDemo({
      PATH: path.dirname(process.execPath),
      HOME: home,
      npm_config_offline: "true",
      npm_config_cache: path.join(home, "npm-cache"),
    });
    expect(r.code).toBe(1);
    expect(r.out.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^demo: no Pulumi CLI here \(not on PATH, and `npx pulumi` could not fetch it\) — install it from https:\/\/www\.pulumi\.com\/docs\/install\/ and run `npm run demo` again\.$/,
      ),
    ]);
    fs.rmSync(home, { recursive: true, force: true });
  }, 120_000);

  test("the program folder it prepares loads this checkout's provider and the SDK by name", () => {
    const dir = demo.programDir();
    try {
      for (const f of ["Pulumi.yaml", "index.ts", "package.json"])
        expect(fs.readFileSync(path.join(dir, f), "utf8")).toBe(
          fs.readFileSync(path.join(ROOT, "examples", "quickstart", f), "utf8"),
        );
      expect(fs.statSync(path.join(dir, "state")).isDirectory()).toBe(true);
      // What the quickstart's imports resolve to, asked of Node itself in that folder.
      const [provider, sdk] = execFileSync(
        process.execPath,
        [
          "-p",
          `["pulumi-bitrix24-biconnector", "@pulumi/pulumi"].map((n) => require.resolve(n)).join("\\n")`,
        ],
        { cwd: dir, encoding: "utf8" },
      )
        .trim()
        .split("\n")
        .map((f) => fs.realpathSync(f));
      expect(provider).toBe(fs.realpathSync(path.join(ROOT, "dist", "provider", "index.js")));
      expect(sdk).toBe(
        fs.realpathSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "index.js")),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // Only where a Pulumi CLI is installed (not on the CI machines): the whole demo, as users run it.
  const cliOnPath = spawnSync("pulumi", ["version"], { timeout: 60_000 }).status === 0;
  (cliOnPath ? test : test.skip)(
    "with a Pulumi CLI on PATH it runs up, drift, refresh, repair and destroy, leaving no connector",
    async () => {
      const r = await runDemo(process.env);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/portal now has title: Sales DB$/m); // the repair undid the drift
      expect(r.out).toMatch(/connectors left on the portal: 0/);
    },
    600_000,
  );
});
