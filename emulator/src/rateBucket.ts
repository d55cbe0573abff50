import { TokenBucket } from "limiter";

/**
 * The portal's leaky bucket (2 requests/s drained, burst 50 by default): each request adds one,
 * a full bucket answers 503 QUERY_LIMIT_EXCEEDED. It also tells how full it is and how full it
 * has been at most, so a benchmark can show how much of the portal's budget a client left to the
 * portal's other applications.
 */
export class RateBucket {
  private readonly tokens: TokenBucket;
  private peakUsed = 0;

  constructor(
    readonly rps: number,
    readonly burst: number,
  ) {
    this.tokens = new TokenBucket({ bucketSize: burst, tokensPerInterval: rps, interval: 1000 });
    this.tokens.content = burst; // an idle portal: the whole burst is free
  }

  /** Counts one request; false when the bucket is full (the request is refused). */
  tryTake(): boolean {
    const taken = this.tokens.tryRemoveTokens(1);
    if (taken) this.peakUsed = Math.max(this.peakUsed, this.used());
    return taken;
  }

  /** Requests in the bucket now (0 = idle, `burst` = full). */
  used(): number {
    this.tokens.drip();
    return this.burst - this.tokens.content;
  }

  /** The fullest the bucket has been since the last reset, as a share of the burst (0..1). */
  peakShare(): number {
    return this.peakUsed / this.burst;
  }

  /** Starts a new peak measurement from the current level. */
  resetPeak(): void {
    this.peakUsed = this.used();
  }
}
