import { AuthStrategy, authLayer, oauthAuth, webhookAuth, withAccessHint } from "./auth/auth";
import { Batcher } from "./batching/batcher";
import { isCommandError, isWrite } from "./batching/batchCommands";
import { ApiRequest, chain } from "./request";
import { httpCall } from "./transport/http";
import { PortalLimiter, limiterLayer } from "./limits/limiter";
import { OAuthSession } from "./auth/oauth";
import { Operation, OperationHost } from "./operation/operation";
import { PageCache } from "./batching/pageCache";
import { retryLayer, retryOptions, retrying, verdictAllowsRetry } from "./retry/retry";
import { Settings } from "./settings";
import { OperatingBudget } from "./limits/operatingBudget";
import { Claims } from "./operation/claims";
import { CreateJournal } from "./journal/createJournal";
import { Transport } from "./transport/transport";
import { JsonObject, JsonValue } from "../schema/spec";

/** Counters a benchmark or a test can read. */
export interface ClientStats {
  /** HTTP requests sent to the portal (a `batch` counts once). */
  requests: number;
  rateLimited: number;
  retries: number;
  refreshes: number;
}

/**
 * How the client shares requests. The defaults are the point of the package; the benchmark turns
 * them off to show release 0.1's figures next to today's in the same run.
 */
export interface ClientTuning {
  /** The coalescing window of the batcher (default COALESCE_WINDOW_MS). */
  readonly windowMs?: number;
  /** Adds, updates and fields.updates travel in batches too (default true). */
  readonly batchWrites?: boolean;
  /** Reads may be served from list pages (default true). */
  readonly pageReads?: boolean;
  /** A stream of calls leaves at most one batch per sustained interval (default true). */
  readonly pacing?: boolean;
}

/** What a client is made of; the shared parts come from processWide.ts unless a test gives its own. */
export interface ClientParts {
  readonly transport: Transport;
  readonly limiter: PortalLimiter;
  /** The OAuth session (token store, single refresh) for OAuth settings. */
  readonly session?: OAuthSession;
  /** Ids created or adopted in this process, per portal (see claims.ts). */
  readonly claims: Claims;
  /** When each method's operating-time budget resets, per portal (see operatingBudget.ts). */
  readonly budget?: OperatingBudget;
  /** The record of creates in flight, per portal and token store (see journal/createJournal.ts). */
  readonly journal?: CreateJournal;
  readonly tuning?: ClientTuning;
}

/**
 * A Bitrix24 REST client for one portal and one set of credentials, built once per settings and
 * handed to the providers. One call is one ApiRequest (request.ts), handed down a chain of small
 * layers, each taking the request and returning the answer:
 *
 *   operation → batcher (optional) → retry (deadline, verdicts) → auth (sign, refresh once)
 *     → limiter → HTTP
 *
 * Three loops retry, each what only it can see, so they cannot be one:
 * - retry/retry.ts, under every request: the request's own failure (rate limit, 5xx, a lost
 *   answer), for idempotent requests only — a batch carrying an add is sent once;
 * - sendCoalesced below: a command's own error inside a batch answer that arrived (the request
 *   succeeded; one command of it failed retryably): the command goes again in a later batch;
 * - operation/operation.ts (addOnce): an add whose outcome is unknown, only after a look at the
 *   portal for what it may have made.
 * Any write drops the list pages that serve reads (see batching/pageCache.ts).
 */
export class Bitrix24Client {
  readonly stats: ClientStats = { requests: 0, rateLimited: 0, retries: 0, refreshes: 0 };
  readonly claims: Claims;
  readonly journal: CreateJournal | undefined;
  private readonly batcher: Batcher;
  /** What operations call through; kept private so the layers stay an internal detail. */
  private readonly host: OperationHost;

  constructor(
    readonly settings: Settings,
    parts: ClientParts,
  ) {
    this.claims = parts.claims;
    this.journal = parts.journal;
    const auth = authFor(settings, parts.session);
    const send = chain(
      [
        retryLayer(settings, () => this.stats.retries++),
        authLayer(auth, this.stats),
        limiterLayer(parts.limiter, this.stats),
      ],
      httpCall(parts.transport, settings.requestTimeoutMs, settings.maxResponseBytes, parts.budget),
    );
    const pages = new PageCache();
    // A write (single or in a batch) drops the pages when it starts and when it ends.
    const sendOne = (req: ApiRequest) => {
      if (!isWrite(req.method)) return send(req);
      pages.invalidate();
      const done = send(req);
      const drop = () => pages.invalidate();
      done.then(drop, drop);
      return done;
    };
    const batcher = new Batcher({
      send: sendOne,
      ready: () => parts.limiter.ready(),
      onWrite: () => pages.invalidate(),
      windowMs: parts.tuning?.windowMs,
      spacingMs: parts.tuning?.pacing === false ? undefined : () => 1000 / parts.limiter.rps,
      batchWrites: parts.tuning?.batchWrites,
    });
    this.batcher = batcher;
    this.host = {
      settings,
      pages: parts.tuning?.pageReads === false ? undefined : pages,
      send: sendOne,
      sendCoalesced: (req, readBack, after) => {
        const { method, deadline, idempotent, trace } = req;
        if (!batcher.accepts(method, req.params))
          return after ? after.then(() => sendOne(req)) : sendOne(req);
        let attempts = 0;
        return retrying(
          () => {
            if (attempts++ > 0) this.stats.retries++;
            // A command's own ACCESS_DENIED gets the same hint as a single call's (auth.ts).
            return batcher
              .enqueue(req, readBack, after)
              .catch((e: unknown) => Promise.reject(withAccessHint(auth, e)));
          },
          {
            ...retryOptions(settings, method, deadline, idempotent),
            trace,
            // The batch request itself was retried below; here only the command's own error. An
            // add is never repeated here: Operation.addOnce looks for what it made first.
            retryOn: (e) =>
              idempotent && isCommandError(e) && verdictAllowsRetry(e, idempotent, attempts),
          },
        );
      },
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
