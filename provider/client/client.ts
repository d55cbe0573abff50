import { AuthStrategy, authLayer, oauthAuth, webhookAuth } from "./auth";
import { Batcher } from "./batcher";
import { chain } from "./call";
import { httpCall } from "./http";
import { PortalLimiter, limiterLayer } from "./limiter";
import { OAuthSession } from "./oauth";
import { Operation, OperationHost } from "./operation";
import { retryLayer } from "./retry";
import { Settings } from "./settings";
import { Claims } from "./claims";
import { Transport } from "./transport";
import { JsonObject, JsonValue } from "../schema/spec";

/** Counters a benchmark or a test can read. */
export interface ClientStats {
  /** HTTP requests sent to the portal (a `batch` counts once). */
  requests: number;
  rateLimited: number;
  retries: number;
  refreshes: number;
}

/** What a client is made of; the shared parts come from shared.ts unless a test gives its own. */
export interface ClientParts {
  readonly transport: Transport;
  readonly limiter: PortalLimiter;
  /** The OAuth session (token store, single refresh) for OAuth settings. */
  readonly session?: OAuthSession;
  /** Ids created or adopted in this process, per portal (see claims.ts). */
  readonly claims: Claims;
}

/**
 * A Bitrix24 REST client for one portal and one set of credentials, built once per settings and
 * handed to the providers. Calls go down a chain of small layers:
 *
 *   batcher (optional) → retry (deadline, verdicts) → auth (sign, refresh once) → limiter → HTTP
 */
export class Bitrix24Client {
  readonly stats: ClientStats = { requests: 0, rateLimited: 0, retries: 0, refreshes: 0 };
  readonly claims: Claims;
  private readonly batcher: Batcher;
  /** What operations call through; kept private so the layers stay an internal detail. */
  private readonly host: OperationHost;

  constructor(
    readonly settings: Settings,
    parts: ClientParts,
  ) {
    this.claims = parts.claims;
    const send = chain(
      [
        retryLayer(settings, () => this.stats.retries++),
        authLayer(authFor(settings, parts.session), this.stats),
        limiterLayer(parts.limiter, this.stats),
      ],
      httpCall(parts.transport, settings.requestTimeoutMs, settings.maxResponseBytes),
    );
    this.batcher = new Batcher(
      (method, params, deadline) => send({ method, params, deadline, idempotent: true }),
      () => parts.limiter.ready(),
    );
    this.host = {
      settings,
      send: (method, params, deadline, idempotent) =>
        send({ method, params, deadline, idempotent }),
      sendCoalesced: (method, params, deadline) => this.batcher.enqueue(method, params, deadline),
    };
  }

  /** `batch` requests sent by the batcher. */
  get batches(): number {
    return this.batcher.batches;
  }

  /** A new operation: its calls share one deadline, bitrix24:operationTimeoutMs from now. */
  operation(): Operation {
    return new Operation(this.host, Date.now() + this.settings.operationTimeoutMs);
  }

  /** One call as an operation of its own. */
  call(method: string, params: JsonObject = {}): Promise<JsonValue> {
    return this.operation().call(method, params);
  }
}

function authFor(settings: Settings, session: OAuthSession | undefined): AuthStrategy {
  if (settings.auth.kind === "webhook") return webhookAuth(settings.auth.webhookUrl);
  if (!session) throw new Error("an OAuth client needs its OAuth session");
  return oauthAuth(settings.auth.portalUrl, session);
}
