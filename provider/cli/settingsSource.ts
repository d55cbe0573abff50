import { SETTINGS, SettingKey, SettingSource, layeredSource } from "../core/client/settings";
import { StackConfig } from "./stackConfig";

/** Where a setting's value comes from, for `doctor` (never the value of a credential). */
export type Origin =
  | { from: "flag"; name: string }
  | { from: "stack"; file: string }
  | { from: "stack-secret"; file: string }
  | { from: "env"; name: string }
  | { from: "unset" };

/** The command's flags for settings. */
export const FLAGS: Partial<Record<SettingKey, string>> = {
  portalUrl: "portal",
  clientId: "client-id",
  clientSecret: "client-secret",
  oauthUrl: "oauth-url",
  tokenStore: "token-store",
};

/**
 * The provider's order — stack config first, then the environment — with the command's flags in
 * front. A stack secret cannot be decrypted here: its environment variable is used if set.
 */
export function cliSettings(
  flags: Partial<Record<SettingKey, string>>,
  stack: StackConfig,
  env: NodeJS.ProcessEnv,
): { get: SettingSource; origin: (key: SettingKey) => Origin } {
  const origin = (key: SettingKey): Origin => {
    const row = SETTINGS.find((s) => s.key === key);
    if (flags[key]) return { from: "flag", name: FLAGS[key] ?? key };
    if (stack.values.has(key) && stack.values.get(key) !== "")
      return { from: "stack", file: stack.file as string };
    if (row && env[row.env]) return { from: "env", name: row.env };
    if (stack.secretKeys.has(key)) return { from: "stack-secret", file: stack.file as string };
    return { from: "unset" };
  };
  // The providers' own layering (stack config, then environment) behind the flags.
  const provider = layeredSource((key) => stack.values.get(key), env);
  const get: SettingSource = (key) => flags[key] || provider(key);
  return { get, origin };
}

export function describeOrigin(o: Origin): string {
  switch (o.from) {
    case "flag":
      return `the --${o.name} flag`;
    case "stack":
      return `stack config ${o.file}`;
    case "stack-secret":
      return `a secret in ${o.file} (encrypted: only the Pulumi CLI can read it)`;
    case "env":
      return `environment variable ${o.name}`;
    case "unset":
      return "not set";
  }
}
