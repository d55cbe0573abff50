import { JsonObject, JsonValue, ResourceSchema, isJsonObject, writableApiFields } from "./spec";
import { isUnknown, containsUnknown } from "./unknown";
import { normalizeValue } from "./validate";

export interface FieldDiff {
  /** Input fields whose value differs (or is unknown during preview). */
  changed: string[];
  /** The subset the API cannot update in place. */
  replaces: string[];
  /** A replacement would collide with the old object on a portal-wide unique field. */
  deleteBeforeReplace: boolean;
}

function canonical(v: JsonValue | undefined): string {
  return JSON.stringify(v ?? null);
}

/** The value a field holds once the API has applied its default. */
function effective(
  f: ResourceSchema["fields"][number],
  v: JsonValue | undefined,
): JsonValue | undefined {
  if (v === undefined || v === null) return f.default;
  const n = normalizeValue(f, v);
  if (!f.items || !Array.isArray(n)) return n;
  // Items compare on what users declare (not server-set ids), as a set when the schema says so.
  const serverSet = f.items.filter((i) => i.readOnly).map((i) => i.name);
  const items = n.map((item) =>
    isJsonObject(item)
      ? Object.fromEntries(Object.entries(item).filter(([k]) => !serverSet.includes(k)))
      : item,
  );
  const key = f.itemKey;
  if (!key) return items;
  return [...items].sort((a, b) =>
    String(isJsonObject(a) ? a[key] : a).localeCompare(String(isJsonObject(b) ? b[key] : b)),
  );
}

/**
 * Field-by-field comparison of old outputs with new inputs, after normalization (integers as
 * numbers, object key order, API defaults). Unknown values count as changed.
 */
export function diffFields(schema: ResourceSchema, olds: JsonObject, news: JsonObject): FieldDiff {
  const changed: string[] = [];
  for (const f of writableApiFields(schema)) {
    const n = news[f.name];
    let o = olds[f.name];
    // A merged map cannot lose keys: only the declared ones are compared.
    if (f.mergedByKey && isJsonObject(o) && isJsonObject(n))
      o = Object.fromEntries(Object.keys(n).map((k) => [k, (o as JsonObject)[k] ?? null]));
    if (containsUnknown(n) || canonical(effective(f, o)) !== canonical(effective(f, n)))
      changed.push(f.name);
  }
  const replaces = changed.filter((name) => schema.fields.find((f) => f.name === name)?.immutable);
  const deleteBeforeReplace =
    replaces.length > 0 &&
    schema.fields.some((f) => f.unique && !changed.includes(f.name) && !isUnknown(news[f.name]));
  return { changed, replaces, deleteBeforeReplace };
}
