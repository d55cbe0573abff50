import { Bitrix24Client } from "../client/client";
import {
  CheckSettings,
  SettingSource,
  checkSettings,
  layeredSource,
  resolveSettings,
} from "../client/settings";
import { createClient } from "../client/processWide";

/**
 * Where a provider gets its client, asked at call time (settings can be missing at preview, and
 * the client must never be captured into a serialized provider).
 */
export type ClientSource = () => Bitrix24Client;

/**
 * THE one way every host turns settings into a client: the host's stack config (`config`, read at
 * call time), then the environment (BITRIX24_*); one client per settings, shared in the process.
 */
export function clientFor(
  config: SettingSource,
  env: NodeJS.ProcessEnv = process.env,
): ClientSource {
  return () => createClient(resolveSettings(layeredSource(config, env)));
}

/** The check settings (no credentials needed: a preview works without) of the same layering. */
export function checkSettingsFor(
  config: SettingSource,
  env: NodeJS.ProcessEnv = process.env,
): CheckSettingsSource {
  return () => checkSettings(layeredSource(config, env));
}

/** Without a configured runtime: the settings of the environment (BITRIX24_*). */
export const envClient: ClientSource = clientFor(() => undefined);

/**
 * Where check() gets the settings it needs (bitrix24:allowPrivateEndpoints). Separate from the
 * client: a preview validates inputs without any credentials.
 */
export type CheckSettingsSource = () => CheckSettings;

/** The check settings of a client source's client, else (no credentials yet) of the environment. */
export function checkSettingsOf(client: ClientSource): CheckSettingsSource {
  return () => {
    try {
      return { allowPrivateEndpoints: client().settings.allowPrivateEndpoints };
    } catch {
      return checkSettingsFor(() => undefined)();
    }
  };
}
