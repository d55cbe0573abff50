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

/** Bitrix24 ids are positive integers (lists may send them as strings). */
export function parseId(raw: unknown, method: string): number {
  const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isInteger(n) || n <= 0)
    throw new Error(`${method}: expected a positive integer id, got ${JSON.stringify(raw)}`);
  return n;
}
