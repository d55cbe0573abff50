import { spawn } from "child_process";
import { redact } from "../core/errors/redact";

/** How long one `pulumi` command may take (a backend far away, a passphrase prompt refused). */
const PULUMI_TIMEOUT_MS = 120_000;

export type PulumiRun = { ok: true; stdout: string } | { ok: false; error: string };

/**
 * One command of the `pulumi` on PATH, non-interactive, with the caller's backend and secrets
 * provider (its environment); `stdin` is written to its standard input, never to an argument.
 * Resolves to what it printed, or to what went wrong (redacted).
 */
export function runPulumi(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  stdin = "",
): Promise<PulumiRun> {
  return new Promise((resolve) => {
    let stdout = "";
    let output = "";
    const child = spawn("pulumi", [...args, "--non-interactive"], {
      cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), PULUMI_TIMEOUT_MS);
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      output += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const what = `pulumi ${args.slice(0, 2).join(" ")}`;
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({
        ok: false,
        error: `${what} could not start (${e.message}): is the Pulumi CLI on PATH?`,
      });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ ok: true, stdout });
      const why = signal ? `stopped after ${PULUMI_TIMEOUT_MS / 1000} s` : `exit ${code}`;
      resolve({ ok: false, error: `${what}: ${why}: ${redact(output.trim()).slice(-1000)}` });
    });
    child.stdin.on("error", () => {
      // A command that does not read its stdin closes it early; its exit status tells the rest.
    });
    child.stdin.end(stdin);
  });
}
