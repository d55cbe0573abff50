import * as os from "os";
import * as path from "path";
import { Bitrix24ConfigError } from "../errors/errors";
import { registerSecret } from "../errors/redact";
import { privateHostReason } from "../schema/endpoint";

/** One row per setting: stack config key (namespace `bitrix24:`), env variable, meaning. */
export const SETTINGS = [
  { key: "webhookUrl", env: "BITRIX24_WEBHOOK_URL", doc: "incoming webhook base URL" },
  { key: "portalUrl", env: "BITRIX24_PORTAL_URL", doc: "portal base URL for OAuth calls" },
  { key: "accessToken", env: "BITRIX24_ACCESS_TOKEN", doc: "OAuth access token" },
  { key: "refreshToken", env: "BITRIX24_REFRESH_TOKEN", doc: "OAuth refresh token" },
  { key: "clientId", env: "BITRIX24_CLIENT_ID", doc: "application client_id" },
  { key: "clientSecret", env: "BITRIX24_CLIENT_SECRET", doc: "application client_secret" },
  { key: "oauthUrl", env: "BITRIX24_OAUTH_URL", doc: "token server" },
  {
    key: "tokenStore",
    env: "BITRIX24_TOKEN_STORE",
    doc: "token store: a file path, or command:<shell command>",
  },
  {
    key: "rateLimitRps",
    env: "BITRIX24_RATE_LIMIT_RPS",
    doc: "requests per second the portal drains",
  },
  { key: "rateLimitBurst", env: "BITRIX24_RATE_LIMIT_BURST", doc: "the portal's burst" },
  {
    key: "rateLimitShare",
    env: "BITRIX24_RATE_LIMIT_SHARE",
    doc: "share of the portal's burst and rate this deployment may use (0 < share ≤ 1)",
  },
  {
    key: "requestTimeoutMs",
    env: "BITRIX24_REQUEST_TIMEOUT_MS",
    doc: "timeout of one HTTP request",
  },
  {
    key: "operationTimeoutMs",
    env: "BITRIX24_OPERATION_TIMEOUT_MS",
    doc: "total time for one operation with its retries",
  },
  {
    key: "retryBaseDelayMs",
    env: "BITRIX24_RETRY_BASE_DELAY_MS",
    doc: "first retry delay (doubles, jittered)",
  },
  {
    key: "maxResponseBytes",
    env: "BITRIX24_MAX_RESPONSE_BYTES",
    doc: "largest answer read from the portal or the token server (default 16 MiB)",
  },
  {
    key: "allowPrivateEndpoints",
    env: "BITRIX24_ALLOW_PRIVATE_ENDPOINTS",
    doc: "connector endpoint URLs may be loopback/private/link-local hosts (on-premise portal, emulator)",
  },
  {
    key: "allowInsecureHttp",
    env: "BITRIX24_ALLOW_INSECURE_HTTP",
    doc: "the portal, webhook and token-server URLs may be plain http:// (tokens then travel in the clear; loopback hosts such as the emulator always may)",
  },
] as const;

export type SettingKey = (typeof SETTINGS)[number]["key"];

/** Settings that are credentials: never logged, secret in stack config and in the plugin schema. */
export const SECRET_SETTINGS: readonly SettingKey[] = [
  "webhookUrl",
  "accessToken",
  "refreshToken",
  "clientSecret",
];
export type SettingSource = (key: SettingKey) => string | undefined;

export type AuthSettings =
  | { kind: "webhook"; webhookUrl: string }
  | {
      kind: "oauth";
      portalUrl: string;
      accessToken?: string;
      refreshToken?: string;
      clientId?: string;
      clientSecret?: string;
      oauthUrl: string;
      tokenStore: string;
    };

export interface Settings {
  auth: AuthSettings;
  /** Origin of the portal: the rate limit is per portal. */
  portal: string;
  rateLimitRps: number;
  rateLimitBurst: number;
  /**
   * The share of the portal's budget (burst and rate) this deployment may use: the portal's bucket
   * is shared by every application on it, so the rest is left to them (default 0.5).
   */
  rateLimitShare: number;
  requestTimeoutMs: number;
  operationTimeoutMs: number;
  retryBaseDelayMs: number;
  /** Answers larger than this are a transport error (a proxy's endless page, a hostile server). */
  maxResponseBytes: number;
  allowPrivateEndpoints: boolean;
  allowInsecureHttp: boolean;
  /** The token store (a file, or `command:`) that also keeps the record of creates in flight. */
  createRecords: string;
}

/** The same settings as environment variables (BITRIX24_*), e.g. for another process. */
export function settingsAsEnv(values: Partial<Record<SettingKey, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of SETTINGS) {
    const v = values[s.key];
    if (v !== undefined) env[s.env] = v;
  }
  return env;
}

export const DEFAULT_OAUTH_URL = "https://oauth.bitrix.info";

export function defaultTokenStore(): string {
  return path.join(os.homedir(), ".pulumi-bitrix24", "tokens.json");
}

/** Stack config first, then the environment. */
export function layeredSource(
  config: SettingSource,
  env: NodeJS.ProcessEnv = process.env,
): SettingSource {
  return (key) => {
    const fromConfig = config(key);
    if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
    const row = SETTINGS.find((s) => s.key === key);
    const fromEnv = row ? env[row.env] : undefined;
    return fromEnv === "" ? undefined : fromEnv;
  };
}

function positive(get: SettingSource, key: SettingKey, fallback: number): number {
  const raw = get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Bitrix24ConfigError(
      `bitrix24:${key} must be a positive number, got ${JSON.stringify(raw)}`,
    );
  return n;
}

/** A fraction in (0, 1]. */
function share(get: SettingSource, key: SettingKey, fallback: number): number {
  const n = positive(get, key, fallback);
  if (n > 1)
    throw new Bitrix24ConfigError(
      `bitrix24:${key} must be a number above 0 and at most 1, got ${JSON.stringify(get(key))}`,
    );
  return n;
}

function flag(get: SettingSource, key: SettingKey): boolean {
  const raw = get(key);
  if (raw === undefined) return false;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new Bitrix24ConfigError(
    `bitrix24:${key} must be true or false, got ${JSON.stringify(raw)}`,
  );
}

/**
 * The settings whose values are not text, each with its reader and default. Config and the
 * environment hand every value over as text (a typed provider argument arrives as a number or a
 * boolean, which the plugin turns into the same text); a reader parses it or throws an error that
 * names the setting and what is allowed. The plugin schema takes each one's type from its default.
 */
export const VALUE_SETTINGS = {
  rateLimitRps: (get: SettingSource) => positive(get, "rateLimitRps", 2),
  rateLimitBurst: (get: SettingSource) => positive(get, "rateLimitBurst", 50),
  rateLimitShare: (get: SettingSource) => share(get, "rateLimitShare", 0.5),
  requestTimeoutMs: (get: SettingSource) => positive(get, "requestTimeoutMs", 60_000),
  operationTimeoutMs: (get: SettingSource) => positive(get, "operationTimeoutMs", 300_000),
  retryBaseDelayMs: (get: SettingSource) => positive(get, "retryBaseDelayMs", 500),
  maxResponseBytes: (get: SettingSource) =>
    positive(get, "maxResponseBytes", DEFAULT_MAX_RESPONSE_BYTES),
  allowPrivateEndpoints: (get: SettingSource) => flag(get, "allowPrivateEndpoints"),
  allowInsecureHttp: (get: SettingSource) => flag(get, "allowInsecureHttp"),
} satisfies Partial<Record<SettingKey, (get: SettingSource) => number | boolean>>;

type Values = { [K in keyof typeof VALUE_SETTINGS]: ReturnType<(typeof VALUE_SETTINGS)[K]> };

function readValues(get: SettingSource): Values {
  const out: Record<string, number | boolean> = {};
  for (const [key, read] of Object.entries(VALUE_SETTINGS)) out[key] = read(get);
  return out as Values;
}

/** Each setting whose value its reader refuses, with the reader's reason (no credentials needed). */
export function valueProblems(get: SettingSource): { key: SettingKey; reason: string }[] {
  const problems: { key: SettingKey; reason: string }[] = [];
  for (const [key, read] of Object.entries(VALUE_SETTINGS))
    try {
      read(get);
    } catch (e) {
      if (!(e instanceof Bitrix24ConfigError)) throw e;
      problems.push({ key: key as SettingKey, reason: e.message });
    }
  return problems;
}

/** What check() needs from the settings. */
export interface CheckSettings {
  allowPrivateEndpoints: boolean;
}

/** The check settings alone: no credentials needed, so preview works without them. */
export function checkSettings(get: SettingSource): CheckSettings {
  checkUrls(get);
  return { allowPrivateEndpoints: flag(get, "allowPrivateEndpoints") };
}

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** The URL settings: each an http(s) base URL, https unless loopback or bitrix24:allowInsecureHttp. */
const URL_SETTINGS = ["webhookUrl", "portalUrl", "oauthUrl"] as const;

function httpBase(key: SettingKey, raw: string, allowHttp: boolean): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Bitrix24ConfigError(`bitrix24:${key} must be an http(s) URL`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new Bitrix24ConfigError(`bitrix24:${key} must be an http(s) URL`);
  // The URL is never quoted: a webhook URL holds its secret.
  if (u.protocol === "http:" && !allowHttp && !privateHostReason(u.hostname)?.includes("loopback"))
    throw new Bitrix24ConfigError(
      `bitrix24:${key} is a plain http:// URL: access and refresh tokens, the client secret and ` +
        `source passwords would travel in the clear. Use https:// (Bitrix24 portals serve it; the ` +
        `portal refuses REST over plain HTTP with "Https required"), or, for a portal reached ` +
        `over a network you trust, set bitrix24:allowInsecureHttp true ` +
        `(BITRIX24_ALLOW_INSECURE_HTTP=true). Loopback hosts (the emulator) are allowed.`,
    );
  return withTrailingSlash(raw);
}

/** A base URL as every request joins it: ending in exactly the `/` it had, or one added. */
export const withTrailingSlash = (url: string): string => (url.endsWith("/") ? url : `${url}/`);

/** Each URL setting given that is refused, with the reason (no credentials needed). */
export function urlProblems(get: SettingSource): { key: SettingKey; reason: string }[] {
  // An unreadable allowInsecureHttp counts as off here; valueProblems reports it.
  let allowHttp = false;
  try {
    allowHttp = flag(get, "allowInsecureHttp");
  } catch (e) {
    if (!(e instanceof Bitrix24ConfigError)) throw e;
  }
  const problems: { key: SettingKey; reason: string }[] = [];
  for (const key of URL_SETTINGS)
    try {
      const raw = get(key);
      if (raw !== undefined) httpBase(key, raw, allowHttp);
    } catch (e) {
      if (!(e instanceof Bitrix24ConfigError)) throw e;
      problems.push({ key, reason: e.message });
    }
  return problems;
}

/** Checks the URL settings given (no credentials needed): what preview refuses. */
function checkUrls(get: SettingSource): void {
  const [first] = urlProblems(get);
  if (first) throw new Bitrix24ConfigError(first.reason);
}

const HOW_TO =
  "Set either an OAuth application (recommended; the connector methods refuse webhooks): " +
  "bitrix24:portalUrl (BITRIX24_PORTAL_URL) with bitrix24:accessToken (BITRIX24_ACCESS_TOKEN) and/or " +
  "bitrix24:refreshToken + bitrix24:clientId + bitrix24:clientSecret " +
  "(BITRIX24_REFRESH_TOKEN, BITRIX24_CLIENT_ID, BITRIX24_CLIENT_SECRET), or just clientId + " +
  "clientSecret once `npx bitrix24-biconnector login` stored a token pair; " +
  "or an incoming webhook: bitrix24:webhookUrl (BITRIX24_WEBHOOK_URL). " +
  "Secrets belong in `pulumi config set --secret`.";

/** Resolves and checks the provider settings; one clear error lists what to set. */
export function resolveSettings(get: SettingSource): Settings {
  for (const key of SECRET_SETTINGS) {
    const v = get(key);
    registerSecret(v);
    if (key === "webhookUrl" && v) registerSecret(v.replace(/\/+$/, "").split("/").pop());
  }
  const webhookUrl = get("webhookUrl");
  const portalUrl = get("portalUrl");
  const accessToken = get("accessToken");
  const refreshToken = get("refreshToken");
  const clientId = get("clientId");
  const clientSecret = get("clientSecret");
  const oauthSet = [portalUrl, accessToken, refreshToken].some((v) => v !== undefined);

  // The token store; creates in flight are recorded there, for webhook credentials too (journal/).
  const limits = { ...readValues(get), createRecords: get("tokenStore") ?? defaultTokenStore() };

  if (webhookUrl && oauthSet)
    throw new Bitrix24ConfigError(
      "Contradictory Bitrix24 credentials: both a webhook URL and OAuth settings are set. " +
        HOW_TO,
    );
  if (webhookUrl) {
    const base = httpBase("webhookUrl", webhookUrl, limits.allowInsecureHttp);
    if (!/\/rest\/[^/]+\/[^/]+\/$/.test(new URL(base).pathname))
      throw new Bitrix24ConfigError(
        "bitrix24:webhookUrl must look like https://PORTAL/rest/USER_ID/SECRET/",
      );
    return { auth: { kind: "webhook", webhookUrl: base }, portal: new URL(base).origin, ...limits };
  }
  const missing: string[] = [];
  if (!portalUrl) missing.push("bitrix24:portalUrl (BITRIX24_PORTAL_URL)");
  // With clientId + clientSecret the pair may come from the token store (what `login` leaves).
  if (!accessToken && !refreshToken && !(clientId && clientSecret))
    missing.push(
      "bitrix24:accessToken or bitrix24:refreshToken (or clientId + clientSecret after `npx bitrix24-biconnector login`)",
    );
  if (refreshToken && !clientId) missing.push("bitrix24:clientId (BITRIX24_CLIENT_ID)");
  if (refreshToken && !clientSecret) missing.push("bitrix24:clientSecret (BITRIX24_CLIENT_SECRET)");
  if (missing.length)
    throw new Bitrix24ConfigError(
      `Bitrix24 credentials are ${oauthSet ? "incomplete" : "missing"}; missing: ${missing.join(", ")}. ${HOW_TO}`,
    );
  const base = httpBase("portalUrl", portalUrl as string, limits.allowInsecureHttp);
  return {
    auth: {
      kind: "oauth",
      portalUrl: base,
      accessToken,
      refreshToken,
      clientId,
      clientSecret,
      oauthUrl: httpBase(
        "oauthUrl",
        get("oauthUrl") ?? DEFAULT_OAUTH_URL,
        limits.allowInsecureHttp,
      ),
      tokenStore: limits.createRecords,
    },
    portal: new URL(base).origin,
    ...limits,
  };
}
