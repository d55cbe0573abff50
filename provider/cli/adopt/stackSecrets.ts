import { spawn } from "child_process";
import { redact } from "../../core/errors/redact";
import { SecretSetting } from "./plan";

/** How long one `pulumi` command may take (a backend far away, a passphrase prompt refused). */
const PULUMI_TIMEOUT_MS = 120_000;

/**
 * Puts each source setting, encrypted, into `stack` of the written project through the real CLI:
 * `pulumi stack select --create`, then `pulumi config set --secret --raw KEY` with the value on
 * standard input — never in an argument (other users can read a process's arguments), a file or
 * a printed line. Uses the `pulumi` on PATH with the caller's backend and secrets provider.
 * Resolves to undefined, or to what went wrong (redacted).
 */
export async function setStackSecrets(
  dir: string,
  stack: string,
  secrets: readonly SecretSetting[],
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const select = await pulumi(["stack", "select", "--create", stack], dir, env);
  if (select) return select;
  for (const s of secrets) {
    const failed = await pulumi(
      ["config", "set", "--secret", "--raw", "--stack", stack, s.key],
      dir,
      env,
      s.value,
    );
    if (failed) return `setting ${s.key}: ${failed}`;
  }
  return undefined;
}

function pulumi(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  stdin = "",
): Promise<string | undefined> {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn("pulumi", [...args, "--non-interactive"], {
      cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), PULUMI_TIMEOUT_MS);
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve(
        `pulumi ${args.slice(0, 2).join(" ")} could not start (${e.message}): is the Pulumi CLI on PATH?`,
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(undefined);
      const why = signal ? `stopped after ${PULUMI_TIMEOUT_MS / 1000} s` : `exit ${code}`;
      resolve(
        `pulumi ${args.slice(0, 2).join(" ")}: ${why}: ${redact(output.trim()).slice(-1000)}`,
      );
    });
    child.stdin.end(stdin);
  });
}
