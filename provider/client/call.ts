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
  readonly url?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A call through the layers below; resolves to the method's `result`. */
export type Call = (req: ApiRequest) => Promise<JsonValue>;

/** A layer wraps the call below it (transport at the bottom), like an HTTP middleware. */
export type Layer = (next: Call) => Call;

/** Composes layers: the first one listed is the outermost. */
export function chain(layers: readonly Layer[], bottom: Call): Call {
  return layers.reduceRight<Call>((next, layer) => layer(next), bottom);
}
