/**
 * The settings a program needs to reach the emulator as its OAuth application, named as the
 * provider's stack config (`bitrix24:<key>`) and environment (`BITRIX24_…`) name them. Written here
 * on purpose instead of imported: the emulator depends on nothing of the provider.
 */
export const PROVIDER_SETTING_NAMES = [
  { key: "portalUrl", env: "BITRIX24_PORTAL_URL", secret: false },
  { key: "oauthUrl", env: "BITRIX24_OAUTH_URL", secret: false },
  { key: "clientId", env: "BITRIX24_CLIENT_ID", secret: false },
  { key: "clientSecret", env: "BITRIX24_CLIENT_SECRET", secret: true },
  { key: "accessToken", env: "BITRIX24_ACCESS_TOKEN", secret: true },
  { key: "refreshToken", env: "BITRIX24_REFRESH_TOKEN", secret: true },
  { key: "tokenStore", env: "BITRIX24_TOKEN_STORE", secret: false },
] as const;

export type ProviderSettingKey = (typeof PROVIDER_SETTING_NAMES)[number]["key"];

/** `bitrix24:*` settings (without the namespace) as plain strings. */
export type ProviderSettings = { [K in Exclude<ProviderSettingKey, "tokenStore">]: string } & {
  tokenStore?: string;
};

/** The same settings as `BITRIX24_…` environment variables. */
export function settingsAsEnv(values: ProviderSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { key, env: name } of PROVIDER_SETTING_NAMES) {
    const v = values[key];
    if (v !== undefined) env[name] = v;
  }
  return env;
}

/** A stack config value as the Automation API sets it (`pulumi config set [--secret]`). */
export interface StackConfigValue {
  value: string;
  secret: boolean;
}

/** The same settings as stack config (`bitrix24:<key>`), the credentials marked secret. */
export function settingsAsStackConfig(values: ProviderSettings): Record<string, StackConfigValue> {
  const config: Record<string, StackConfigValue> = {};
  for (const { key, secret } of PROVIDER_SETTING_NAMES) {
    const v = values[key];
    if (v !== undefined) config[`bitrix24:${key}`] = { value: v, secret };
  }
  return config;
}
