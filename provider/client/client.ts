import { backOff } from "exponential-backoff";
import { LIST_PAGE_SIZE } from "./apiLimits";
import { Coalescer } from "./batch";
import { Bitrix24DeadlineError, Bitrix24Error, Bitrix24TransportError, errorCode } from "./errors";
import { PortalLimiter, limiterFor } from "./limiter";
import { OAuthSession } from "./oauth";
import { FEW_ATTEMPTS, classify, isIdempotent } from "./retryPolicy";
import { Settings } from "./settings";
import { postJson, readEnvelope } from "./transport";
import { JsonObject, JsonValue, isJsonObject } from "../schema/spec";

export interface CallOptions {
  /** Defaults from the method name: `*.add` is not idempotent. */
  idempotent?: boolean;
  /** The caller already took a rate-limit token for the first attempt. */
  tokenHeld?: boolean;
}

/** Counters a benchmark or a test can read. */
export interface ClientStats {
  requests: number;
  rateLimited: number;
  retries: number;
  refreshes: number;
}

/**
 * A Bitrix24 REST client for one portal and one set of credentials: auth, the shared rate limiter,
 * bounded retries under a per-operation deadline, typed errors without secrets.
 */
export class Bitrix24Client {
  readonly stats: ClientStats = { requests: 0, rateLimited: 0, retries: 0, refreshes: 0 };
  private readonly limiter: PortalLimiter;
  private readonly oauth?: OAuthSession;
  private readonly coalescer = new Coalescer(
    (method, params, tokenHeld) => this.call(method, params, { tokenHeld }),
    () => this.limiter.take(),
  );

  constructor(readonly settings: Settings) {
    this.limiter = limiterFor(settings.portal, settings.rateLimitRps, settings.rateLimitBurst);
    if (settings.auth.kind === "oauth")
      this.oauth = new OAuthSession(settings.auth, { requestTimeoutMs: settings.requestTimeoutMs });
  }

  /** `batch` requests sent by the coalescer. */
  get batches(): number {
    return this.coalescer.batches;
  }

  /**
   * An idempotent call that may travel with others in one `batch` request (reads and deletes that
   * the engine issues together). Its result and errors are its own, exactly as with `call`.
   */
  callCoalesced(method: string, params: JsonObject): Promise<JsonValue> {
    if (!isIdempotent(method)) return this.call(method, params);
    return this.coalescer.enqueue(method, params);
  }

  private url(method: string): string {
    const auth = this.settings.auth;
    if (auth.kind === "webhook") return auth.webhookUrl + method;
    const base = auth.portalUrl.endsWith("/rest/") ? auth.portalUrl : `${auth.portalUrl}rest/`;
    return base + method;
  }

  /** One HTTP request through the limiter; on `expired_token` refreshes once and repeats it. */
  private async send(
    method: string,
    params: JsonObject,
    timeoutMs: number,
    tokenHeld: boolean,
  ): Promise<JsonValue> {
    for (let refreshed = false; ; refreshed = true) {
      if (!tokenHeld || refreshed) await this.limiter.take();
      const token = this.oauth ? await this.oauth.token() : undefined;
      const body = token ? { ...params, auth: token } : params;
      this.stats.requests++;
      const { status, data } = await postJson(method, this.url(method), body, timeoutMs);
      try {
        return readEnvelope(method, status, data);
      } catch (e) {
        if (classify(e) === "refresh" && this.oauth && !refreshed) {
          this.stats.refreshes++;
          await this.oauth.refresh(token);
          continue;
        }
        throw e;
      }
    }
  }

  /**
   * Calls a method and returns its `result`. Retries with jittered exponential backoff while the
   * operation's deadline allows; a non-idempotent call is not repeated after an ambiguous failure
   * (the Bitrix24TransportError goes to the caller, which must reconcile).
   */
  async call(method: string, params: JsonObject = {}, opts: CallOptions = {}): Promise<JsonValue> {
    const idempotent = opts.idempotent ?? isIdempotent(method);
    const { operationTimeoutMs, requestTimeoutMs, retryBaseDelayMs } = this.settings;
    const deadline = Date.now() + operationTimeoutMs;
    let attempts = 0;
    let lastError: unknown;
    let outOfTime = false;
    try {
      return await backOff(
        () => {
          attempts++;
          const left = deadline - Date.now();
          if (left <= 0) {
            outOfTime = true;
            throw lastError ?? new Bitrix24TransportError(method, "no time left");
          }
          return this.send(
            method,
            params,
            Math.min(requestTimeoutMs, left),
            attempts === 1 && opts.tokenHeld === true,
          );
        },
        {
          numOfAttempts: Number.MAX_SAFE_INTEGER,
          startingDelay: retryBaseDelayMs,
          timeMultiple: 2,
          // A sleep may overrun the deadline by at most one delay: keep delays short next to it.
          maxDelay: Math.max(retryBaseDelayMs, Math.min(10_000, operationTimeoutMs / 4)),
          jitter: "full",
          retry: (e: unknown) => {
            if (outOfTime) return false;
            lastError = e;
            const verdict = classify(e);
            if (e instanceof Bitrix24Error && e.code === "QUERY_LIMIT_EXCEEDED") {
              this.stats.rateLimited++;
              this.limiter.penalize();
            }
            const again =
              verdict === "retry" ||
              (verdict === "retry-if-idempotent" && idempotent) ||
              (verdict === "retry-few" && attempts < FEW_ATTEMPTS);
            if (!again) return false;
            if (Date.now() >= deadline) {
              outOfTime = true;
              return false;
            }
            this.stats.retries++;
            return true;
          },
        },
      );
    } catch (e) {
      if (outOfTime)
        throw new Bitrix24DeadlineError(method, attempts, errorCode(lastError), operationTimeoutMs);
      if (!idempotent && e instanceof Bitrix24Error && classify(e) === "retry-if-idempotent")
        throw new Bitrix24TransportError(method, `HTTP ${e.httpStatus} ${e.code}`, e.httpStatus);
      throw e;
    }
  }

  /** Every page of a biconnector list (50 a page, no `total`: stop on a short page). */
  async listAll(method: string, params: JsonObject = {}): Promise<JsonObject[]> {
    const items: JsonObject[] = [];
    for (let page = 1; ; page++) {
      const result = await this.call(method, { ...params, page });
      const batch = Array.isArray(result) ? result.filter(isJsonObject) : [];
      items.push(...batch);
      if (batch.length < LIST_PAGE_SIZE) return items;
    }
  }
}
