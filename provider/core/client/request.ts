import { JsonObject, JsonValue } from "../schema/spec";

/**
 * One API call as it travels down the client's layers (retry → auth → limiter → HTTP). Each layer
 * fills in what it owns: retry sets `signal` and `timeoutMs` per attempt, auth sets `url` and signs
 * `params`.
 */
export interface ApiRequest {
  readonly method: string;
  readonly params: JsonObject;
  /** When the whole operation this call belongs to must have ended (epoch ms). */
  readonly deadline: number;
  /** May the call be repeated after an ambiguous failure? (`*.add` may not.) */
  readonly idempotent: boolean;
  /** Where the retry layer notes each attempt and its error, for the operation's deadline error. */
  readonly trace?: Trace;
  readonly url?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * What one operation's requests went through so far: how many were sent (a `batch` counts for each
 * call it carried) and the last error. When the deadline passes while a call is still on its way,
 * the operation's deadline error tells this, not what the outermost retry loop happened to see.
 */
export interface Trace {
  /** One attempt (request) sent; its error, when it failed. */
  attempt(): void;
  failed(e: unknown): void;
  readonly attempts: number;
  readonly last: unknown;
}

export function newTrace(): Trace {
  let attempts = 0;
  let last: unknown;
  return {
    get attempts() {
      return attempts;
    },
    get last() {
      return last;
    },
    attempt: () => void attempts++,
    failed: (e) => void (last = e),
  };
}

/** One trace standing for several (the calls a `batch` carries). */
export function traces(all: readonly (Trace | undefined)[]): Trace | undefined {
  // One operation's calls in one batch share its trace: it counts the request once.
  const each = [...new Set(all)].filter((t): t is Trace => t !== undefined);
  if (each.length === 0) return undefined;
  return {
    get attempts() {
      return Math.max(...each.map((t) => t.attempts));
    },
    get last() {
      return each[0].last;
    },
    attempt: () => each.forEach((t) => t.attempt()),
    failed: (e) => each.forEach((t) => t.failed(e)),
  };
}

/** A call through the layers below; resolves to the method's `result`. */
export type Call = (req: ApiRequest) => Promise<JsonValue>;

/** A layer wraps the call below it (transport at the bottom), like an HTTP middleware. */
export type Layer = (next: Call) => Call;

/** Composes layers: the first one listed is the outermost. */
export function chain(layers: readonly Layer[], bottom: Call): Call {
  return layers.reduceRight<Call>((next, layer) => layer(next), bottom);
}
