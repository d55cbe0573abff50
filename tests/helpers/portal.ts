import * as path from "path";
import { Bitrix24Client } from "../../provider/core/client/client";
import { SettingKey, layeredSource, resolveSettings } from "../../provider/core/client/settings";
import { createClient } from "../../provider/core/client/processWide";
import { ClientSource } from "../../provider/core/lifecycle/clientSource";
import { ObjectProvider } from "../../provider/core/lifecycle/objectProvider";
import { JsonObject } from "../../provider/core/schema/spec";
import {
  CallRecord,
  Emulator,
  EmulatorOptions,
  startEmulator,
} from "bitrix24-biconnector-emulator";
import { tempDir } from "./tempDir";

export { tempDir };

/** The settings a user would give to reach this emulator as its OAuth application. */
export function oauthSettings(
  emu: Emulator,
  tokenStore: string,
): Partial<Record<SettingKey, string>> {
  return {
    ...emu.providerSettings(tokenStore),
    retryBaseDelayMs: "10",
    // The emulator's sample connector listens on loopback: a private endpoint, refused otherwise.
    allowPrivateEndpoints: "true",
    // The emulator in these tests has no rate limit; tests of the limiter set their own.
    rateLimitRps: "1000",
    rateLimitBurst: "1000",
  };
}

let configured: Partial<Record<SettingKey, string>> = {};

/** The settings that `testClient` builds its client from, as configure() gives stack config. */
export function useSettings(values: Partial<Record<SettingKey, string>>): void {
  configured = values;
}

/**
 * The client source the tests hand to providers: the client for the settings last given to
 * `useSettings` (no env), shared per settings exactly as in a provider process.
 */
export const testClient: ClientSource = () =>
  createClient(resolveSettings(layeredSource((key) => configured[key], {})));

/** An emulator plus the provider runtime configured to use it. */
export async function portal(
  options: EmulatorOptions = {},
): Promise<{ emu: Emulator; tokenStore: string }> {
  // The built-in sample connector is on loopback, which a cloud portal (and so the emulator by
  // default) does not call: these tests use it, so they allow it explicitly.
  const emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true, ...options });
  const tokenStore = path.join(tempDir("b24-tokens-"), "tokens.json");
  useSettings(oauthSettings(emu, tokenStore));
  return { emu, tokenStore };
}

export const seedConnector = {
  title: "Sales DB",
  logo: "data:image/svg+xml;base64,PHN2Zy8+",
  urlCheck: "https://connector.example.com/check",
  urlTableList: "https://connector.example.com/tables",
  urlTableDescription: "https://connector.example.com/describe",
  urlData: "https://connector.example.com/data",
  settings: [
    { name: "Login", code: "login", type: "STRING" },
    { name: "Password", code: "password", type: "STRING" },
  ],
};

/** A connector whose endpoints are the emulator's built-in sample connector. */
export function sampleConnector(emu: Emulator, title = "Sample DB") {
  const base = emu.sampleConnectorUrl;
  return {
    ...seedConnector,
    title,
    urlCheck: `${base}/check`,
    urlTableList: `${base}/table_list`,
    urlTableDescription: `${base}/table_description`,
    urlData: `${base}/data`,
  };
}

/**
 * A client from these settings alone (no env): what a new provider process builds — nothing shared
 * with other clients but the token store file.
 */
export function clientWith(values: Partial<Record<SettingKey, string>>): Bitrix24Client {
  return createClient(resolveSettings(layeredSource((k) => values[k], {})), { isolated: true });
}

/**
 * The methods the portal ran, a `batch` opened into its commands (writes travel in batches, with
 * the list pages that read them back).
 */
export function methodsRun(calls: readonly CallRecord[]): string[] {
  return calls.flatMap((c) => (c.method === "batch" ? (c.commands ?? []) : [c.method]));
}

/** The inputs check() gives for these declared values, asserting that it finds nothing wrong. */
export async function checked(p: ObjectProvider, news: JsonObject): Promise<JsonObject> {
  const r = await p.check({}, news);
  expect(r.failures ?? []).toEqual([]);
  return r.inputs as JsonObject;
}

/** A connector on the emulator's sample connector and a working source of it, through the providers. */
export async function sampleSource(
  emu: Emulator,
  connectors: ObjectProvider,
  sources: ObjectProvider,
): Promise<{ connectorId: string; sourceId: string }> {
  const c = await connectors.create(await checked(connectors, sampleConnector(emu)));
  const s = await sources.create(
    await checked(sources, {
      connectorId: c.id,
      title: "Warehouse",
      settings: { ...emu.sampleConnectorCredentials },
    }),
  );
  return { connectorId: c.id, sourceId: s.id };
}
