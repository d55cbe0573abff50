import { SETTINGS, SettingKey, SettingSource } from "../core/client/settings";
import { JsonObject, JsonValue, isJsonObject } from "../core/schema/spec";
import { PACKAGE } from "./kinds";

/**
 * Provider configuration of the plugin: `bitrix24:*` as the engine hands it to a native plugin.
 * - Configure `args`: keyed by the bare name, secret values wrapped (unwrapped by the caller);
 * - Configure `variables`: keyed `bitrix24:config:<name>`;
 * - `PULUMI_CONFIG` in the plugin's environment: JSON keyed by the bare name.
 * Then the BITRIX24_* environment variables, through the same layering as the dynamic provider.
 */
export interface ConfigureInput {
  args: JsonObject;
  variables: ReadonlyMap<string, string>;
}

const text = (v: JsonValue | undefined): string | undefined =>
  v === undefined || v === null || isJsonObject(v) || Array.isArray(v) ? undefined : String(v);

function pulumiConfigEnv(raw: string | undefined): JsonObject {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return isJsonObject(parsed as JsonValue) ? (parsed as JsonObject) : {};
  } catch {
    return {}; // not ours to judge: the engine writes it
  }
}

/** The stack config the plugin sees, highest precedence first (the environment comes after). */
export function pluginConfig(
  configure: ConfigureInput | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SettingSource {
  const fromEnvJson = pulumiConfigEnv(env.PULUMI_CONFIG);
  return (key: SettingKey) =>
    [
      text(configure?.args[key]),
      configure?.variables.get(`${PACKAGE}:config:${key}`),
      configure?.variables.get(`${PACKAGE}:${key}`),
      text(fromEnvJson[key]),
      text(fromEnvJson[`${PACKAGE}:${key}`]),
    ].find((v) => v !== undefined && v !== "");
}

/** Names the engine may pass along with our settings in provider config. */
const ENGINE_KEYS = ["version", "pluginDownloadURL"];

/** Config keys that are not settings (a typo such as `bitrix24:portalURL`). */
export function unknownConfigKeys(keys: readonly string[]): string[] {
  const known = new Set<string>([...SETTINGS.map((s) => s.key), ...ENGINE_KEYS]);
  return keys.filter((k) => !known.has(k));
}
