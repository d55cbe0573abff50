import { TokenBucket } from "limiter";

/**
 * Client-side image of the portal's leaky bucket: `burst` requests at once, then `rps` per
 * second. One per portal per process, shared by every resource the engine handles concurrently.
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

  async take(): Promise<void> {
    await this.bucket.removeTokens(1);
  }

  /** The portal said QUERY_LIMIT_EXCEEDED: our image was too optimistic, so stop bursting. */
  penalize(): void {
    this.bucket.drip();
    this.bucket.content = 0;
    this.bucket.lastDrip = Date.now(); // refill from now on, not from the last idle period
  }
}

const limiters = new Map<string, PortalLimiter>();

/** The limiter of a portal; the first settings seen for a portal win for the process. */
export function limiterFor(portal: string, rps: number, burst: number): PortalLimiter {
  let l = limiters.get(portal);
  if (!l) limiters.set(portal, (l = new PortalLimiter(rps, burst)));
  return l;
}
