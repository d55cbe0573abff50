import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/tempDir";
import { ROOT, cliMissing } from "./cliRun";

const DEMO = path.join(ROOT, "scripts", "demo.js");

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [DEMO],
      { env, timeout: 600_000, killSignal: "SIGKILL", maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
    ),
  );
}

describe("npm run demo", () => {
  test("end to end under the real CLI: up, a rename in the portal, refresh shows it, up repairs, destroy", async () => {
    const missing = cliMissing();
    if (missing) throw new Error(missing);
    // Its own temporary folder: the demo leaves nothing there (it had left its state and a
    // Pulumi home behind).
    const tmp = tempDir("b24-demo-tmp-");
    const r = await runDemo({ ...process.env, TMPDIR: tmp });
    if (r.code !== 0) throw new Error(`demo failed (exit ${r.code}):\n${r.out.slice(-3000)}`);
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(r.out).toMatch(/Pulumi CLI v3\.276\.0/);
    expect(r.out).toMatch(/3\. refresh shows the drift[\s\S]*sales[^\n]*\[diff: ~title\]/);
    expect(r.out).toMatch(/portal now has title: Sales DB/);
    expect(r.out).toMatch(/connectors left on the portal: 0/);
  });

  test("without a Pulumi CLI it prints one line saying how to get one and exits 1", async () => {
    const r = await runDemo({ ...process.env, PULUMI_CLI: path.join(ROOT, "no-such-pulumi") });
    expect(r.code).toBe(1);
    expect(r.out.trim().split("\n")).toEqual([
      "demo: no Pulumi CLI here — run `npm run pulumi:install` (it builds one with Go), then `npm run demo` again.",
    ]);
  });
});
