/**
 * The settings a program needs to reach the emulator as its OAuth application, named as the
 * provider's stack config (`bitrix24:<key>`) and environment (`BITRIX24_…`) name them. Written here
 * on purpose instead of imported: the emulator depends on nothing of the provider.
 */
export const PROVIDER_SETTING_NAMES = [
  { key: "portalUrl", env: "BITRIX24_PORTAL_URL" },
  { key: "oauthUrl", env: "BITRIX24_OAUTH_URL" },
  { key: "clientId", env: "BITRIX24_CLIENT_ID" },
  { key: "clientSecret", env: "BITRIX24_CLIENT_SECRET" },
  { key: "accessToken", env: "BITRIX24_ACCESS_TOKEN" },
  { key: "refreshToken", env: "BITRIX24_REFRESH_TOKEN" },
  { key: "tokenStore", env: "BITRIX24_TOKEN_STORE" },
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
