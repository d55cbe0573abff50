import { createHash } from "crypto";
import { Bitrix24Client, ClientTuning } from "./client";
import { Claims } from "./operation/claims";
import { OperatingBudget } from "./limits/operatingBudget";
import { PortalLimiter } from "./limits/limiter";
import { OAuthSession } from "./auth/oauth";
import { openTokenStore } from "./stores";
import { CreateJournal } from "./journal/createJournal";
import { Settings } from "./settings";
import { Transport, axiosTransport } from "./transport/transport";

/**
 * The only process-wide state of the client, and why it must be process-wide:
 * - the rate limiter, per portal: the portal counts every request of every resource (and every
 *   credential) of this process against one bucket;
 * - the OAuth session, per portal and credentials: one refresh for all resources, since a refresh
 *   token works only once;
 * - the claims, per portal: reconciliation must never adopt what another resource created;
 * - the record of creates in flight, per portal and token store: one writer of each stack's entry;
 * - the operating budget, per portal: when each method's operating-time budget resets, as any
 *   answer of the portal named it (the portal's 429 names none);
 * - the clients themselves, per settings, so that the engine's many calls reuse those parts.
 * Nothing here can reach a Pulumi state: it lives in the installed package, not in the program.
 */
const limiters = new Map<string, PortalLimiter>();
const sessions = new Map<string, OAuthSession>();
const claims = new Map<string, Claims>();
const budgets = new Map<string, OperatingBudget>();
const clients = new Map<string, Bitrix24Client>();
const journals = new Map<string, CreateJournal>();

const hash = (v: unknown): string => createHash("sha256").update(JSON.stringify(v)).digest("hex");

function memo<T>(map: Map<string, T>, key: string, make: () => T): T {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

export interface ClientOptions {
  /** The HTTP transport (default: axios). A client with its own gets an OAuth session of its own. */
  readonly transport?: Transport;
  /** Share nothing with other clients, as a client in a new process would (tests, tools). */
  readonly isolated?: boolean;
  /** How requests are shared (the benchmark compares with release 0.1's way). */
  readonly tuning?: ClientTuning;
}

/** A client for these settings: one per settings in the process, built from the shared parts. */
export function createClient(settings: Settings, opts: ClientOptions = {}): Bitrix24Client {
  if (!opts.transport && !opts.isolated)
    return memo(clients, hash(settings), () => build(settings, axiosTransport(), true));
  return build(settings, opts.transport ?? axiosTransport(), false, !opts.isolated, opts.tuning);
}

function build(
  settings: Settings,
  transport: Transport,
  shareSession: boolean,
  sharePortal = shareSession,
  tuning?: ClientTuning,
): Bitrix24Client {
  const auth = settings.auth;
  const session = (): OAuthSession | undefined => {
    if (auth.kind !== "oauth") return undefined;
    const make = () =>
      new OAuthSession(auth, {
        transport,
        requestTimeoutMs: settings.requestTimeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
      });
    return shareSession ? memo(sessions, hash(auth), make) : make();
  };
  const newLimiter = () =>
    new PortalLimiter(settings.rateLimitRps, settings.rateLimitBurst, settings.rateLimitShare);
  const newJournal = () =>
    new CreateJournal(
      () => openTokenStore(settings.createRecords, settings.requestTimeoutMs),
      settings.portal,
    );
  return new Bitrix24Client(settings, {
    transport,
    // The first settings seen for a portal set its limits for the process.
    limiter: sharePortal ? memo(limiters, settings.portal, newLimiter) : newLimiter(),
    session: session(),
    claims: sharePortal ? memo(claims, settings.portal, () => new Claims()) : new Claims(),
    budget: sharePortal
      ? memo(budgets, settings.portal, () => new OperatingBudget())
      : new OperatingBudget(),
    journal: sharePortal
      ? memo(journals, `${settings.portal}|${settings.createRecords}`, newJournal)
      : newJournal(),
    tuning,
  });
}
