import { Bitrix24Client } from "../client/client";
import { CheckSettings, checkSettings, layeredSource, resolveSettings } from "../client/settings";
import { createClient } from "../client/shared";

/**
 * Where a provider gets its client, asked at call time (settings can be missing at preview, and
 * the client must never be captured into a serialized provider).
 */
export type ClientSource = () => Bitrix24Client;

/** Without a configured runtime: the settings of the environment (BITRIX24_*). */
export const envClient: ClientSource = () =>
  createClient(resolveSettings(layeredSource(() => undefined)));

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
      return checkSettings(layeredSource(() => undefined));
    }
  };
}
