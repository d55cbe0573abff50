import { createHash } from "crypto";
import { Bitrix24Client } from "./client";
import { SettingSource, Settings, checkSettings, layeredSource, resolveSettings } from "./settings";

/**
 * Process-wide state of the installed package (never serialized into state): the stack config
 * given to configure(), and one client per portal and credentials, so every resource in the
 * process shares its token refreshes and its rate limiter.
 */
let stackConfig: SettingSource = () => undefined;
const clients = new Map<string, Bitrix24Client>();

export function setStackConfig(get: SettingSource): void {
  stackConfig = get;
}

export function currentSettings(): Settings {
  return resolveSettings(layeredSource(stackConfig));
}

export function clientFor(settings: Settings): Bitrix24Client {
  const key = createHash("sha256").update(JSON.stringify(settings)).digest("hex");
  let c = clients.get(key);
  if (!c) clients.set(key, (c = new Bitrix24Client(settings)));
  return c;
}

/** The client for the settings in force now (stack config, then env). */
export function currentClient(): Bitrix24Client {
  return clientFor(currentSettings());
}

/** The settings check() reads (stack config, then env), without requiring credentials. */
export function currentCheckSettings(): { allowPrivateEndpoints: boolean } {
  return checkSettings(layeredSource(stackConfig));
}
