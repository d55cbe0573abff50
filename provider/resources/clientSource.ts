import { Bitrix24Client } from "../client/client";
import { layeredSource, resolveSettings } from "../client/settings";
import { createClient } from "../client/shared";

/**
 * Where a provider gets its client, asked at call time (settings can be missing at preview, and
 * the client must never be captured into a serialized provider).
 */
export type ClientSource = () => Bitrix24Client;

/** Without a configured runtime: the settings of the environment (BITRIX24_*). */
export const envClient: ClientSource = () =>
  createClient(resolveSettings(layeredSource(() => undefined)));
