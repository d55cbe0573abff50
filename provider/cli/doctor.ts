import * as fs from "fs";
import * as path from "path";
import { Bitrix24Client } from "../core/client/client";
import { createClient } from "../core/client/processWide";
import {
  Bitrix24Error,
  Bitrix24TransportError,
  Bitrix24DeadlineError,
} from "../core/errors/errors";
import { redact } from "../core/errors/redact";
import {
  SECRET_SETTINGS,
  SETTINGS,
  SettingKey,
  Settings,
  defaultTokenStore,
  resolveSettings,
} from "../core/client/settings";
import { StoredTokens, TokenStore, fingerprint, tokenKey } from "../core/client/stores/tokenStore";
import { FileTokenStore, openTokenStore } from "../core/client/stores";
import { JsonValue, isJsonObject } from "../core/schema/spec";
import { CliIo } from "./io";
import { readStackConfig } from "./stackConfig";
import { cliSettings, describeOrigin } from "./settingsSource";

export interface DoctorOptions {
  flags: Partial<Record<SettingKey, string>>;
  stack?: string;
}

interface Report {
  ok(what: string): void;
  info(what: string): void;
  problem(what: string, fix: string): void;
  problems: number;
}

function report(io: CliIo): Report {
  const r: Report = {
    problems: 0,
    ok: (what) => io.out(`ok    ${redact(what)}`),
    info: (what) => io.out(`      ${redact(what)}`),
    problem: (what, fix) => {
      r.problems++;
      io.out(`FAIL  ${redact(what)}`);
      io.out(`      fix: ${redact(fix)}`);
    },
  };
  return r;
}

/** Short deadlines: a diagnosis should answer within seconds. */
const DOCTOR_LIMITS = {
  requestTimeoutMs: "15000",
  operationTimeoutMs: "30000",
  retryBaseDelayMs: "200",
} as const;

/**
 * `bitrix24-biconnector doctor`: the provider's settings resolution and every check between them
 * and a working deployment, each problem with its fix. Exit status 1 when anything is wrong.
 */
export async function doctor(opts: DoctorOptions, io: CliIo): Promise<number> {
  const r = report(io);
  const stack = readStackConfig(io.cwd, opts.stack, io.env);
  if (stack.file) r.ok(`stack config: ${stack.file} (stack ${stack.stack}); plain values only`);
  else r.info(`stack config: none read (${stack.note}); settings from the environment`);
  const { get: read, origin } = cliSettings(opts.flags, stack, io.env);

  r.info("settings in force (values of credentials are never shown):");
  for (const s of SETTINGS) {
    const o = origin(s.key);
    if (o.from === "unset") continue;
    const shown =
      SECRET_SETTINGS.includes(s.key) || o.from === "stack-secret"
        ? "set"
        : JSON.stringify(read(s.key));
    r.info(`  bitrix24:${s.key} = ${shown} — from ${describeOrigin(o)}`);
  }
  const unreadable = SETTINGS.filter((s) => origin(s.key).from === "stack-secret");
  for (const s of unreadable)
    r.problem(
      `bitrix24:${s.key} is a stack secret: doctor cannot decrypt it, so it checks without it`,
      `run doctor as ${s.env}="$(pulumi config get bitrix24:${s.key})" npx bitrix24-biconnector doctor`,
    );

  let settings: Settings;
  try {
    settings = resolveSettings((key) =>
      key in DOCTOR_LIMITS && !read(key)
        ? DOCTOR_LIMITS[key as keyof typeof DOCTOR_LIMITS]
        : read(key),
    );
  } catch (e) {
    r.problem(
      `settings: ${(e as Error).message}`,
      "set what the message names, then run doctor again",
    );
    return finish(r, io);
  }

  if (settings.auth.kind === "webhook") {
    r.problem(
      "credentials: an incoming webhook. A webhook can only call the *.fields methods: Bitrix24 " +
        "refuses the connector, source and table methods to webhooks (ACCESS_DENIED), so this provider cannot work with one",
      "create a local application in the portal (Applications → Developer resources → Other → Local application, " +
        '"uses only API", scope biconnector), install it, set bitrix24:portalUrl, bitrix24:clientId and ' +
        "bitrix24:clientSecret instead of bitrix24:webhookUrl, and run `npx bitrix24-biconnector login`",
    );
    await portalAnswers(settings, r);
    return finish(r, io);
  }

  const auth = settings.auth;
  r.ok(`credentials: OAuth application ${auth.clientId ?? "(no clientId)"} on ${settings.portal}`);
  const store = openTokenStore(auth.tokenStore, 15_000);
  const key = tokenKey(auth.portalUrl, auth.clientId ?? "-");
  const stored = await storeHealth(store, key, r);
  if (!stored && !auth.accessToken && !auth.refreshToken) {
    r.problem(
      `no token pair: none in ${store.description} (entry ${key}) and none configured`,
      "run `npx bitrix24-biconnector login`",
    );
    return finish(r, io);
  }
  if (stored && auth.refreshToken)
    whichPair(stored, auth.refreshToken, describeOrigin(origin("refreshToken")), r);

  const client = createClient(settings, { isolated: true });
  const scope = await call(client, "scope", r);
  if (scope === undefined) return finish(r, io);
  r.ok("portal answers and the access token is accepted");
  const scopes = Array.isArray(scope)
    ? scope.map(String)
    : isJsonObject(scope) && Array.isArray(scope.SCOPE)
      ? scope.SCOPE.map(String)
      : [];
  if (scopes.includes("biconnector")) r.ok(`scope includes biconnector (${scopes.join(", ")})`);
  else
    r.problem(
      `scope of the application is ${scopes.length ? scopes.join(", ") : "empty"}: biconnector is missing`,
      "in the portal, add the biconnector scope to the local application, save it, then run `npx bitrix24-biconnector login` again",
    );
  const list = await call(client, "biconnector.connector.list", r);
  if (list !== undefined)
    r.ok(
      `biconnector.connector.list answers (${Array.isArray(list) ? list.length : 0} connector(s) on the first page)`,
    );
  return finish(r, io);
}

/**
 * A refresh token configured beside a stored pair: the provider uses the stored pair only when it
 * descends from that token (its chain started there: login or an earlier run rotated it), else the
 * configured token — which fails at its first refresh when it was spent already (refresh tokens
 * work once), e.g. a token left in the stack config after `login` stored a newer pair.
 */
function whichPair(stored: StoredTokens, configured: string, from: string, r: Report): void {
  const f = fingerprint(configured);
  if (stored.origin === f || fingerprint(stored.refreshToken) === f) {
    r.ok(`token pair: the stored one is used (it descends from the refresh token in ${from})`);
    return;
  }
  r.problem(
    `token pair: the refresh token in ${from} takes precedence over the stored pair, which does ` +
      "not descend from it: the provider will use the configured token and ignore the stored " +
      "pair; if that token was used before (refresh tokens work once), the first refresh fails",
    `to use the stored pair (e.g. from login), remove the configured token (${from.includes("BITRIX24_") ? "unset BITRIX24_REFRESH_TOKEN" : "pulumi config rm bitrix24:refreshToken"}); ` +
      "to use the configured one, keep it and ignore this",
  );
}

function finish(r: Report, io: CliIo): number {
  io.out(r.problems ? `${r.problems} problem(s) found.` : "Everything looks right.");
  return r.problems ? 1 : 0;
}

/** The store's health, and the pair it holds for this portal and application (if any). */
async function storeHealth(
  store: TokenStore,
  key: string,
  r: Report,
): Promise<StoredTokens | undefined> {
  r.info(
    `token store: ${store.description}${store.kind === "file" && store.description === `file ${defaultTokenStore()}` ? " (the default)" : ""}, entry ${key}`,
  );
  let entry: StoredTokens | undefined;
  try {
    entry = await store.read(key);
    const present = entry !== undefined;
    r.ok(
      `token store readable; ${present ? "holds a pair for this portal and application" : "no pair stored yet"}`,
    );
  } catch (e) {
    r.problem(`token store: ${(e as Error).message}`, "fix the store as the message says");
    return undefined;
  }
  if (!(store instanceof FileTokenStore))
    r.info(
      "  (doctor only reads a command store; the provider proves it takes a write before each refresh)",
    );
  else {
    const file = store.file;
    if (fs.existsSync(file)) {
      const mode = fs.statSync(file).mode & 0o777;
      if (mode & 0o077)
        r.problem(
          `token store ${file} is readable by others (mode ${mode.toString(8)})`,
          `chmod 600 ${file}`,
        );
    }
    const dir = fs.existsSync(file) ? path.dirname(file) : nearestExisting(path.dirname(file));
    try {
      fs.accessSync(dir, fs.constants.W_OK);
      if (fs.existsSync(file)) fs.accessSync(file, fs.constants.W_OK);
      r.ok("token store writable");
    } catch {
      r.problem(
        `token store ${file} is not writable: a refresh could not be saved, so none will be made`,
        "make the file and its folder writable, or set bitrix24:tokenStore to a writable file",
      );
    }
  }
  return entry;
}

function nearestExisting(dir: string): string {
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

async function portalAnswers(settings: Settings, r: Report): Promise<void> {
  const answer = await call(createClient(settings, { isolated: true }), "scope", r);
  if (answer !== undefined) r.ok("portal answers the webhook");
}

/** One call; a failure becomes a problem with its fix, and undefined. */
async function call(
  client: Bitrix24Client,
  method: string,
  r: Report,
): Promise<JsonValue | undefined> {
  try {
    return await client.call(method, {});
  } catch (e) {
    const [what, fix] = diagnose(method, e);
    r.problem(what, fix);
    return undefined;
  }
}

function diagnose(method: string, e: unknown): [string, string] {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof Bitrix24TransportError || e instanceof Bitrix24DeadlineError)
    return [
      `portal does not answer ${method}: ${message}`,
      "check bitrix24:portalUrl and the network (proxy, VPN)",
    ];
  if (e instanceof Bitrix24Error) {
    if (e.method === "oauth/token")
      return [
        `token refused: ${message}`,
        e.code === "invalid_client"
          ? "check bitrix24:clientId and bitrix24:clientSecret and that the application is installed"
          : "run `npx bitrix24-biconnector login` (the refresh token is spent or expired)",
      ];
    if (["NO_AUTH_FOUND", "invalid_token", "expired_token"].includes(e.code))
      return [`token refused by the portal: ${message}`, "run `npx bitrix24-biconnector login`"];
    if (e.code === "insufficient_scope")
      return [
        `${method}: ${message}`,
        "add the biconnector scope to the application in the portal, then log in again",
      ];
    if (e.code === "ACCESS_DENIED")
      return [
        `${method}: ${message}`,
        method.startsWith("biconnector")
          ? "the user who authorized needs BI Builder (Analytics) rights in the portal; for a webhook, use an OAuth application"
          : "REST is available on commercial plans only; check the portal's plan",
      ];
    return [`${method}: ${message}`, "see the error code in the Bitrix24 REST documentation"];
  }
  return [`${method}: ${message}`, "run again; report the message if it repeats"];
}
