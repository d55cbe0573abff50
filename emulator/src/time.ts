import { JsonObject } from "./json";

/** The window over which the portal sums a method's execution time (ten one-minute buckets). */
const WINDOW_MS = 10 * 60_000;

/** ISO 8601 with the offset written out, as the portal's `date_start`/`date_finish`. */
const isoWithOffset = (ms: number): string =>
  new Date(ms).toISOString().replace(/\.\d+Z$/, "+00:00");

/**
 * The operating limit's bookkeeping: per method, the execution time it used in the last ten
 * minutes (`operating`, seconds) and when the oldest of it leaves the window (`operating_reset_at`,
 * unix seconds). A method can be blocked until a given time (OPERATION_TIME_LIMIT, injected).
 */
export class OperatingMeter {
  private readonly used = new Map<string, { at: number; seconds: number }[]>();
  private readonly blocked = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  record(method: string, seconds: number): void {
    const list = this.window(method);
    list.push({ at: this.now(), seconds });
    this.used.set(method, list);
  }

  private window(method: string): { at: number; seconds: number }[] {
    const since = this.now() - WINDOW_MS;
    return (this.used.get(method) ?? []).filter((u) => u.at > since);
  }

  /** `operating` and, when the method used any time or is blocked, `operating_reset_at`. */
  fields(method: string): JsonObject {
    const list = this.window(method);
    const operating = list.reduce((sum, u) => sum + u.seconds, 0);
    const until = this.blockedUntil(method);
    const resetMs = until ?? (list.length ? list[0].at + WINDOW_MS : undefined);
    return resetMs === undefined
      ? { operating }
      : { operating, operating_reset_at: Math.ceil(resetMs / 1000) };
  }

  /** Blocks the method for `seconds` from now. */
  block(method: string, seconds: number): void {
    this.blocked.set(method, this.now() + seconds * 1000);
  }

  /** When the method's block ends (ms), if it is blocked now. */
  blockedUntil(method: string): number | undefined {
    const until = this.blocked.get(method);
    if (until === undefined) return undefined;
    if (until <= this.now()) {
      this.blocked.delete(method);
      return undefined;
    }
    return until;
  }
}

/** The `time` block of an answer: wall-clock times of this request plus the operating fields. */
export function timeBlock(startMs: number, operating: JsonObject): JsonObject {
  const finishMs = Date.now();
  const seconds = (finishMs - startMs) / 1000;
  return {
    start: startMs / 1000,
    finish: finishMs / 1000,
    duration: seconds,
    processing: seconds,
    date_start: isoWithOffset(startMs),
    date_finish: isoWithOffset(finishMs),
    ...operating,
  };
}
