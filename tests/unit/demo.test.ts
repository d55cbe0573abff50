import { execFile } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

describe("npm run demo", () => {
  test("never pretends: without a Pulumi CLI it says so in one line and fails; with one it completes", async () => {
    // PATH holds node/npx only: `pulumi` is not there; `npx pulumi` can fetch it only on a connected machine.
    const env = { PATH: path.dirname(process.execPath), HOME: process.env.HOME ?? "/tmp" };
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(
        process.execPath,
        [path.join(ROOT, "scripts", "demo.js")],
        { env, timeout: 600_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    if (r.code === 0) {
      expect(r.out).toMatch(/connectors left on the portal: 0/);
    } else {
      expect(r.out.trim().split("\n")).toEqual([
        expect.stringMatching(/^demo: no Pulumi CLI here .* install it from/),
      ]);
    }
  }, 600_000);
});
