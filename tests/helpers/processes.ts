import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SettingKey, settingsAsEnv } from "../../provider/core/client/settings";
import { tempDir } from "./portal";

export interface WorkerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node script` with these settings as BITRIX24_* env (and nothing else of ours). */
export function runNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

export const LIST_ONCE = path.join(__dirname, "..", "emulator", "workers", "listOnce.js");

/** `n` worker processes started together, released at once through a start file. */
export async function listInParallel(
  n: number,
  values: Partial<Record<SettingKey, string>>,
  env: NodeJS.ProcessEnv = {},
): Promise<WorkerResult[]> {
  const go = path.join(tempDir("b24-go-"), "go");
  const runs = Array.from({ length: n }, () =>
    runNode(LIST_ONCE, [], {
      HOME: env.HOME ?? tempDir("b24-home-"),
      ...settingsAsEnv(values),
      B24_GO: go,
      ...env,
    }),
  );
  // Node takes a moment to start: give every worker time to wait at the start line.
  await new Promise((r) => setTimeout(r, 1500));
  fs.writeFileSync(go, "");
  return Promise.all(runs);
}
