import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { JsonObject, JsonValue, ResourceSchema, isJsonObject } from "../core/schema/spec";
import { isReferenceId } from "./kinds";
import { WireObject, WireValue } from "./pulumiSdk";

/**
 * Values as they cross the gRPC boundary. The engine sends secret values wrapped in the SDK's
 * signature object (also nested, e.g. inside source `settings`) and re-marks nothing in a plugin's
 * answers: so secrets are unwrapped on the way in and wrapped again on the way out. Reference ids
 * are strings on the wire (as Pulumi ids are) and integers for the providers.
 */
function isWrappedSecret(v: WireValue): v is { [k: string]: WireValue } {
  return isJsonObject(v as JsonValue) && (v as WireObject)[specialSigKey] === specialSecretSig;
}

function unwrap(v: WireValue): { value: JsonValue; secret: boolean } {
  if (isWrappedSecret(v)) return { value: unwrap(v.value).value, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(unwrap);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (v !== null && typeof v === "object") {
    const out: JsonObject = {};
    let secret = false;
    for (const [k, x] of Object.entries(v)) {
      const u = unwrap(x);
      out[k] = u.value;
      secret ||= u.secret;
    }
    return { value: out, secret };
  }
  return { value: v as JsonValue, secret: false };
}

export function wrapSecret(v: WireValue): WireValue {
  return { [specialSigKey]: specialSecretSig, value: v };
}

export interface Unwrapped {
  props: JsonObject;
  /** Top-level keys that held a secret anywhere inside: they stay secret in the answer. */
  secretKeys: string[];
}

/** Request properties → provider values: secrets unwrapped, reference ids as integers. */
export function fromWire(schema: ResourceSchema, o: WireObject | undefined): Unwrapped {
  const props: JsonObject = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(o ?? {})) {
    const u = unwrap(v);
    props[k] = u.value;
    if (u.secret) secretKeys.push(k);
  }
  for (const f of schema.fields) {
    const v = props[f.name];
    if (isReferenceId(f) && typeof v === "string" && /^\d+$/.test(v)) props[f.name] = Number(v);
  }
  return { props, secretKeys };
}

/** Provider values → answer properties: reference ids as strings, secret fields wrapped. */
export function toWire(
  schema: ResourceSchema,
  o: JsonObject,
  alsoSecret: readonly string[] = [],
): WireObject {
  const out: WireObject = {};
  for (const [k, v] of Object.entries(o)) {
    const f = schema.fields.find((x) => x.name === k);
    const value: WireValue = f && isReferenceId(f) && typeof v === "number" ? String(v) : v;
    out[k] = f?.secret || alsoSecret.includes(k) ? wrapSecret(value) : value;
  }
  return out;
}

/** Unwraps plain arguments (invoke args, provider config). */
export function unwrapAll(o: WireObject | undefined): JsonObject {
  return unwrap(o ?? {}).value as JsonObject;
}
