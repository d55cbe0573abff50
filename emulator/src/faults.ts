/**
 * Fault injection for the emulated portal: exact rules (the next N calls of a method fail in a
 * given way) and seeded random faults, so a failing run can be replayed with the same seed.
 */
export type FaultKind =
  | "rateLimit" // 503 QUERY_LIMIT_EXCEEDED, nothing done
  | "serverError" // 500 INTERNAL_SERVER_ERROR, nothing done
  | "reset" // connection reset before anything is done
  | "commitThenReset" // the call is applied, then the connection is reset: the answer is lost
  | "expiredToken" // 401 expired_token, as if the access token had just expired
  | "operationTimeLimit" // 429 OPERATION_TIME_LIMIT: the method is blocked for resetInSec
  | "error"; // a given Bitrix24 error (code, description, status)

export const RANDOM_FAULT_KINDS: readonly FaultKind[] = [
  "rateLimit",
  "serverError",
  "reset",
  "commitThenReset",
];

export interface FaultRule {
  kind: FaultKind;
  /** Exact method name, or a prefix ending in `*`; all methods when omitted. */
  method?: string;
  /** How many calls it hits (default 1). */
  times?: number;
  /** How many matching calls it lets through first (default 0): `after: 2` hits the third. */
  after?: number;
  code?: string;
  description?: string;
  status?: number;
  /**
   * For operationTimeLimit: how long the method stays blocked (default 60 s); every call of it
   * until then gets the same 429, whose `time.operating_reset_at` says when the block ends.
   */
  resetInSec?: number;
}

export interface RandomFaults {
  seed: number;
  /** Probability that a call fails, 0..1. */
  rate: number;
  kinds?: readonly FaultKind[];
  /** Methods it may hit (prefixes ending in `*` allowed); all when omitted. */
  methods?: readonly string[];
}

/** mulberry32: a tiny, well-known seeded PRNG (reproducible fault sequences). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function methodMatches(pattern: string | undefined, method: string): boolean {
  if (pattern === undefined) return true;
  return pattern.endsWith("*") ? method.startsWith(pattern.slice(0, -1)) : pattern === method;
}

export class Faults {
  private rules: (FaultRule & { left: number; skip: number })[] = [];
  private random?: { next: () => number; cfg: RandomFaults };
  /** How many faults of each kind were injected. */
  readonly injected: Record<FaultKind, number> = {
    rateLimit: 0,
    serverError: 0,
    reset: 0,
    commitThenReset: 0,
    expiredToken: 0,
    operationTimeLimit: 0,
    error: 0,
  };

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1, skip: rule.after ?? 0 });
  }

  setRandom(cfg: RandomFaults | undefined): void {
    this.random = cfg ? { next: prng(cfg.seed), cfg } : undefined;
  }

  clear(): void {
    this.rules = [];
    this.random = undefined;
  }

  /**
   * An injected `error` for one command of a batch, if a rule says so (consumes it). Only `error`
   * rules apply inside a batch: the other kinds are about the HTTP request, which is the batch's.
   */
  takeCommandError(method: string): FaultRule | undefined {
    const rule = this.consume(
      this.rules.find((r) => r.kind === "error" && r.left > 0 && methodMatches(r.method, method)),
    );
    if (rule) this.injected.error++;
    return rule;
  }

  /** The rule, if it hits this call: a call it lets through (`after`) or no rule gives undefined. */
  private consume(
    rule: (FaultRule & { left: number; skip: number }) | undefined,
  ): FaultRule | undefined {
    if (!rule) return undefined;
    if (rule.skip > 0) {
      rule.skip--;
      return undefined;
    }
    rule.left--;
    this.rules = this.rules.filter((r) => r.left > 0);
    return rule;
  }

  /** The fault for this call, if any (consumes a rule, or draws from the random source). */
  take(method: string): FaultRule | undefined {
    const rule = this.consume(
      this.rules.find((r) => r.left > 0 && methodMatches(r.method, method)),
    );
    let fault: FaultRule | undefined = rule;
    if (
      !rule &&
      this.random &&
      (this.random.cfg.methods ?? ["*"]).some((m) => methodMatches(m, method))
    ) {
      const { next, cfg } = this.random;
      if (next() < cfg.rate) {
        const kinds = cfg.kinds ?? RANDOM_FAULT_KINDS;
        fault = { kind: kinds[Math.floor(next() * kinds.length)] };
      }
    }
    if (fault) this.injected[fault.kind]++;
    return fault;
  }
}
