import { Bitrix24AnswerError } from "../client/errors";
import { JsonObject, isJsonObject } from "../schema/spec";

/** The dynamic-provider host keeps the serialized provider under this input key. */
export const PROVIDER_KEY = "__provider";

export function withoutProviderKey(props: JsonObject): JsonObject;
export function withoutProviderKey(props: unknown): unknown;
export function withoutProviderKey(props: unknown): unknown {
  if (!isJsonObject(props)) return props;
  const { [PROVIDER_KEY]: _ignored, ...rest } = props;
  return rest;
}

/**
 * Bitrix24 ids are positive integers (lists may send them as strings), within 2^53: a larger one
 * would be silently rounded to another object's id. The offending value is never quoted whole.
 */
export function parseId(raw: unknown, method: string): number {
  const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n <= 0)
    throw new Bitrix24AnswerError(
      method,
      `expected a positive integer id (at most 2^53), got ${
        typeof raw === "string" ? `a string of ${raw.length} characters` : typeof raw
      }`,
    );
  return n;
}
