import { createCipheriv, createDecipheriv, randomBytes } from "crypto";
import { JsObject } from "./sdk";
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";

/** The SDK's marker for secret values on the wire (sdk/nodejs/runtime/rpc). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isSecret(v: JavaScriptValue): v is { [k: string]: JavaScriptValue } {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    (v as JsObject)[SIG_KEY] === SECRET_SIG
  );
}

/** Removes secret wrappers (the engine does this before calling a provider that does not accept secrets). */
export function unwrap(v: JavaScriptValue): JavaScriptValue {
  if (isSecret(v)) return unwrap(v.value);
  if (Array.isArray(v)) return v.map(unwrap);
  if (typeof v === "object" && v !== null) {
    const out: JsObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = unwrap(x);
    return out;
  }
  return v;
}

function containsSecret(v: JavaScriptValue): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (typeof v === "object" && v !== null) return Object.values(v).some(containsSecret);
  return false;
}

/** Top-level keys that hold a secret anywhere inside. */
export function secretKeys(o: JsObject): string[] {
  return Object.keys(o).filter((k) => containsSecret(o[k]));
}

export function wrap(v: JavaScriptValue): JavaScriptValue {
  return { [SIG_KEY]: SECRET_SIG, value: v };
}

export function markSecrets(o: JsObject, keys: readonly string[]): JsObject {
  const out: JsObject = { ...o };
  for (const k of keys) if (k in out && !isSecret(out[k])) out[k] = wrap(out[k]);
  return out;
}

/**
 * State encryption of secret values, as a stack's secrets provider does: a secret is stored as
 * `{SIG_KEY: SECRET_SIG, ciphertext}`, never in plaintext. AES-256-GCM with a per-stack key.
 */
export class StateCrypter {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  encrypt(o: JsObject): JsObject {
    const out: JsObject = {};
    for (const [k, v] of Object.entries(o)) {
      if (!isSecret(v)) {
        out[k] = v;
        continue;
      }
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", this.key, iv);
      const data = Buffer.concat([c.update(JSON.stringify(unwrap(v)), "utf8"), c.final()]);
      out[k] = {
        [SIG_KEY]: SECRET_SIG,
        ciphertext: Buffer.concat([iv, c.getAuthTag(), data]).toString("base64"),
      };
    }
    return out;
  }

  decrypt(o: JsObject): JsObject {
    const out: JsObject = {};
    for (const [k, v] of Object.entries(o)) {
      if (!isSecret(v) || typeof v.ciphertext !== "string") {
        out[k] = v;
        continue;
      }
      const raw = Buffer.from(v.ciphertext, "base64");
      const d = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
      out[k] = wrap(JSON.parse(text) as JavaScriptValue);
    }
    return out;
  }

  exportKey(): string {
    return this.key.toString("base64");
  }
}
