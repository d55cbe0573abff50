import { registerSecret } from "../errors/redact";
import { ResourceSchema, isJsonObject } from "./spec";

/** Values of secret fields (source settings) join the credentials that never appear in messages. */
export function registerSecretValues(schema: ResourceSchema, values: unknown): void {
  if (!isJsonObject(values)) return;
  for (const f of schema.fields) {
    if (!f.secret) continue;
    const v = values[f.name];
    if (typeof v === "string") registerSecret(v);
    else if (isJsonObject(v))
      for (const x of Object.values(v)) if (typeof x === "string") registerSecret(x);
  }
}
