import { AuthStrategy, authLayer, oauthAuth, webhookAuth } from "./auth";
import { Batcher, ReadBack, isCommandError, isWrite } from "./batcher";
import { Call, chain } from "./call";
import { httpCall } from "./http";
import { PortalLimiter, limiterLayer } from "./limiter";
import { OAuthSession } from "./oauth";
import { Operation, OperationHost } from "./operation";
import { PageCache } from "./pageCache";
import { retryLayer, retryOptions, retrying, verdictAllowsRetry } from "./retry";
import { Settings } from "./settings";
import { Claims } from "./claims";
import { Transport } from "./transport";
import { isIdempotent } from "./verdicts";
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
 *
 * A coalesced call runs under its own retry policy too: each attempt is one command of some
 * batch, and a command's own error is judged by the same verdicts as a single call's.
 */
export class Bitrix24Client implements OperationHost {
  readonly stats: ClientStats = { requests: 0, rateLimited: 0, retries: 0, refreshes: 0 };
  readonly claims: Claims;
  /** List pages that serve reads for a few seconds; dropped on any write (see pageCache.ts). */
  readonly pages = new PageCache();
  private readonly chain: Call;
  private readonly batcher: Batcher;

  constructor(
    readonly settings: Settings,
    parts: ClientParts,
  ) {
    this.claims = parts.claims;
    this.chain = chain(
      [
        retryLayer(settings, () => this.stats.retries++),
        authLayer(authFor(settings, parts.session), this.stats),
        limiterLayer(parts.limiter, this.stats),
      ],
      httpCall(parts.transport, settings.requestTimeoutMs),
    );
    this.batcher = new Batcher({
      send: (method, params, deadline, idempotent) =>
        this.send(method, params, deadline, idempotent),
      ready: () => parts.limiter.ready(),
      onWrite: () => this.pages.invalidate(),
    });
  }

  /** `batch` requests sent by the batcher. */
  get batches(): number {
    return this.batcher.batches;
  }

  /** A new operation: its calls share one deadline, bitrix24:operationTimeoutMs from now. */
  operation(): Operation {
    return new Operation(this, Date.now() + this.settings.operationTimeoutMs);
  }

  /** One call as an operation of its own. */
  call(method: string, params: JsonObject = {}): Promise<JsonValue> {
    return this.operation().call(method, params);
  }

  send(
    method: string,
    params: JsonObject,
    deadline: number,
    idempotent: boolean,
  ): Promise<JsonValue> {
    if (!isWrite(method)) return this.chain({ method, params, deadline, idempotent });
    this.pages.invalidate();
    const done = this.chain({ method, params, deadline, idempotent });
    const drop = () => this.pages.invalidate();
    done.then(drop, drop);
    return done;
  }

  sendCoalesced(
    method: string,
    params: JsonObject,
    deadline: number,
    readBack?: ReadBack,
  ): Promise<JsonValue> {
    const idempotent = isIdempotent(method);
    if (!this.batcher.accepts(method, params))
      return this.send(method, params, deadline, idempotent);
    let attempts = 0;
    return retrying(
      () => {
        if (attempts++ > 0) this.stats.retries++;
        return this.batcher.enqueue(method, params, deadline, idempotent, readBack);
      },
      {
        ...retryOptions(this.settings, method, deadline, idempotent),
        // The batch request itself was already retried below; here only the command's own error.
        retryOn: (e) => isCommandError(e) && verdictAllowsRetry(e, idempotent, attempts),
      },
    );
  }
}

function authFor(settings: Settings, session: OAuthSession | undefined): AuthStrategy {
  if (settings.auth.kind === "webhook") return webhookAuth(settings.auth.webhookUrl);
  if (!session) throw new Error("an OAuth client needs its OAuth session");
  return oauthAuth(settings.auth.portalUrl, session);
}
