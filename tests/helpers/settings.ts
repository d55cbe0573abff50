import * as path from "path";
import {
  Settings,
  SettingKey,
  layeredSource,
  resolveSettings,
} from "../../provider/core/client/settings";
import { tempDir } from "./tempDir";

let portals = 0;

/**
 * OAuth settings for an in-process test: a portal host of its own (so no limiter is shared with
 * another test), a token store in a fresh folder, short retry delays.
 */
export function testSettings(values: Partial<Record<SettingKey, string>> = {}): Settings {
  const all: Partial<Record<SettingKey, string>> = {
    portalUrl: `https://portal-${process.pid}-${++portals}.example.com/`,
    accessToken: "access-token-1",
    refreshToken: "refresh-token-1",
    clientId: "local.app.1",
    clientSecret: "client-secret-value",
    oauthUrl: "https://oauth.example.com/",
    tokenStore: path.join(tempDir("b24-unit-"), "tokens.json"),
    rateLimitRps: "1000",
    rateLimitBurst: "1000",
    retryBaseDelayMs: "1",
    ...values,
  };
  return resolveSettings(layeredSource((k) => all[k], {}));
}
