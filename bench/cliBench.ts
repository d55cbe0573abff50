/**
 * `npm run bench -- --cli`: N connectors (examples/connectors-from-config) under the real Pulumi
 * CLI (`npm run pulumi:install`), run as an Automation API inline program, against the emulator at
 * the portal's limits: up, refresh, a change of every title, destroy — at the CLI's default
 * --parallel (4 × CPUs) and at 64. Per phase: requests, the bucket's peak share, 503s, wall time.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Emulator, settingsAsStackConfig, startEmulator } from "bitrix24-biconnector-emulator";

const ROOT = path.resolve(__dirname, "../..");
/** The inline-program driver's helpers: one place for the rules of every CLI run. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain Node script of the repo
const driver = require(path.join(ROOT, "scripts", "inline-program.js")) as {
  isolatedCli(
    base: string,
    passphrase: string,
  ): { workDir: string; state: string; env: Record<string, string> };
  cliPath(more?: string[]): string;
};

export interface CliRow {
  phase: string;
  requests: number;
  peak: number;
  rateLimited: number;
  seconds: number;
  ok: boolean;
}

function connectors(n: number, titleSuffix: string): Record<string, unknown> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `c${i}`,
      {
        title: `Bench connector ${i}${titleSuffix}`,
        logo: "https://connector.example.com/logo.svg",
        urlCheck: "https://connector.example.com/check",
        urlTableList: "https://connector.example.com/table_list",
        urlTableDescription: "https://connector.example.com/table_description",
        urlData: "https://connector.example.com/data",
        settings: [{ name: "Login", code: "login", type: "STRING" }],
      },
    ]),
  );
}

function run(request: object, env: Record<string, string>): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [path.join(ROOT, "scripts", "inline-program.js"), JSON.stringify(request)],
      {
        cwd: ROOT,
        timeout: 900_000,
        maxBuffer: 256 * 1024 * 1024,
        env: {
          ...process.env,
          ...env,
          PATH: driver.cliPath(),
        },
      },
      (error, stdout, stderr) => resolve({ ok: !error, out: `${stdout}${stderr}` }),
    ),
  );
}

async function drained(emu: Emulator): Promise<void> {
  for (let i = 0; i < 200 && (emu.bucket?.used() ?? 0) > 0; i++)
    await new Promise((r) => setTimeout(r, 250));
  emu.bucket?.resetPeak();
}

export async function cliRun(n: number, latencyMs: number, parallel: number): Promise<CliRow[]> {
  const emu = await startEmulator({ rateLimit: { rps: 2, burst: 50 }, latencyMs });
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "b24-clibench-"));
  const { workDir, env } = driver.isolatedCli(base, "bench-only");
  const s = emu.providerSettings(`${base}/tokens.json`);
  const credentials = settingsAsStackConfig(s);
  const rows: CliRow[] = [];
  const phase = async (name: string, command: string, config: object = {}) => {
    await drained(emu);
    const before = emu.calls.length;
    const t0 = Date.now();
    const r = await run(
      {
        program: "examples/connectors-from-config",
        workDir,
        stack: "dev",
        command,
        config,
        env,
        parallel,
        quiet: true,
      },
      env,
    );
    const calls = emu.calls.slice(before);
    rows.push({
      phase: name,
      requests: calls.length,
      peak: emu.bucket?.peakShare() ?? 0,
      rateLimited: calls.filter((c) => c.status === 503).length,
      seconds: (Date.now() - t0) / 1000,
      ok: r.ok,
    });
    if (!r.ok) console.log(`  (${name} failed: ${r.out.slice(-600)})`);
  };
  try {
    await phase("up", "up", {
      ...credentials,
      connectors: { value: JSON.stringify(connectors(n, "")) },
    });
    await phase("refresh", "refresh");
    await phase("change every title", "up", {
      connectors: { value: JSON.stringify(connectors(n, " v2")) },
    });
    await phase("destroy", "destroy");
  } finally {
    await emu.close();
  }
  return rows;
}

export function printCli(title: string, rows: CliRow[]): void {
  console.log(`\n${title}`);
  console.log("phase                  requests  peak bucket  503s   wall s  ok");
  for (const r of rows)
    console.log(
      `${r.phase.padEnd(22)} ${String(r.requests).padStart(8)} ${`${Math.round(r.peak * 100)}%`.padStart(12)} ${String(r.rateLimited).padStart(5)} ${r.seconds.toFixed(1).padStart(8)}  ${r.ok ? "yes" : "NO"}`,
    );
}
