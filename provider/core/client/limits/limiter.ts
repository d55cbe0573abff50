import { TokenBucket } from "limiter";
import { Layer } from "../request";
import { Bitrix24Error } from "../../errors/errors";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Client-side image of the portal's leaky bucket (docs/bitrix24-api.md#rate-limit: `burst` requests at once,
 * then `rps` per second; above that the portal answers 503 QUERY_LIMIT_EXCEEDED). One per portal
 * per process (see ../processWide.ts), because the portal counts every request of every resource alike.
 *
 * The portal's bucket is shared by every application and integration on the portal, so a
 * deployment takes only `share` of it (bitrix24:rateLimitShare): a bucket of `share × burst` that
 * refills at `share × rps`. Since it never sends faster than the portal drains, the portal's
 * bucket never holds more than `share × burst` of its requests; the rest stays free for others.
 */
export class PortalLimiter {
  private readonly bucket: TokenBucket;
  /** Requests per second this deployment may send (its share of the portal's rate). */
  readonly rps: number;
  /** Requests this deployment may send at once (its share of the portal's burst, at least 1). */
  readonly burst: number;
  constructor(portalRps: number, portalBurst: number, share = 1) {
    this.rps = portalRps * share;
    this.burst = Math.max(1, Math.floor(portalBurst * share));
    this.bucket = new TokenBucket({
      bucketSize: this.burst,
      tokensPerInterval: this.rps,
      interval: 1000,
    });
    // Half our share at the process's start. Every `pulumi` command is a new process whose
    // limiter knows nothing of the requests the previous command left in the portal's bucket (it
    // drains only at `rps`): starting half full, two commands back to back still put at most our
    // share of the burst into it. The portal drains while the process starts, as after: the image
    // refills from the process's start (the bucket's clock, performance.now(), counts from it),
    // not from this limiter's first use, which at 100 resources comes 0.3-1 s later; without
    // that the 14th request of a fast phase waited 300 ms for a token. An idle process refills
    // to the whole share.
    this.bucket.content = Math.max(1, Math.floor(this.burst / 2));
    this.bucket.lastDrip = 0;
  }

  /** Takes one request's worth; waits while the bucket is empty. */
  async take(): Promise<void> {
    await this.bucket.removeTokens(1);
  }

  /**
   * Waits until a request could be sent now, without taking anything: a batcher waits here, then
   * collects everything that queued meanwhile into one request.
   */
  async ready(): Promise<void> {
    for (;;) {
      this.bucket.drip();
      if (this.bucket.content >= 1) return;
      await sleep(Math.ceil(((1 - this.bucket.content) * 1000) / this.rps));
    }
  }

  /** The portal said QUERY_LIMIT_EXCEEDED: our image was too optimistic, so stop bursting. */
  penalize(): void {
    this.bucket.drip();
    this.bucket.content = 0;
    this.bucket.lastDrip = Date.now(); // refill from now on, not from the last idle period
  }
}

/** Every HTTP request (a `batch` too: it counts as one) takes a token first. */
export function limiterLayer(
  limiter: PortalLimiter,
  counters: { requests: number; rateLimited: number },
): Layer {
  return (next) => async (req) => {
    await limiter.take();
    counters.requests++;
    try {
      return await next(req);
    } catch (e) {
      if (e instanceof Bitrix24Error && e.code === "QUERY_LIMIT_EXCEEDED") {
        counters.rateLimited++;
        limiter.penalize();
      }
      throw e;
    }
  };
}
