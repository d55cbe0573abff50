import { runPulumi } from "../pulumiCli";
import { SecretSetting } from "./plan";

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
  const select = await runPulumi(["stack", "select", "--create", stack], dir, env);
  if (!select.ok) return select.error;
  for (const s of secrets) {
    const set = await runPulumi(
      ["config", "set", "--secret", "--raw", "--stack", stack, s.key],
      dir,
      env,
      s.value,
    );
    if (!set.ok) return `setting ${s.key}: ${set.error}`;
  }
  return undefined;
}
