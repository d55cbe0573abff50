import { TokenBucket } from "limiter";
import { Layer } from "./call";
import { Bitrix24Error } from "./errors";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Client-side image of the portal's leaky bucket (docs/bitrix24-api.md#rate-limit: `burst` requests at once,
 * then `rps` per second; above that the portal answers 503 QUERY_LIMIT_EXCEEDED). One per portal
 * per process (see shared.ts), because the portal counts every request of every resource alike.
 */
export class PortalLimiter {
  private readonly bucket: TokenBucket;
  constructor(
    readonly rps: number,
    readonly burst: number,
  ) {
    this.bucket = new TokenBucket({ bucketSize: burst, tokensPerInterval: rps, interval: 1000 });
    this.bucket.content = burst; // the portal's counter starts empty: the whole burst is available
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
