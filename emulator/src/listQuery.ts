import { JsonObject, JsonValue, isJsonObject } from "./json";
import { ApiError, systemError } from "./apiError";
import { PAGE_SIZE } from "./limits";

const OPS = [">=", "<=", "!@", "!=", "=%", "%=", ">", "<", "@", "%", "=", "!"] as const;

function compare(a: unknown, b: unknown): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== "" && b !== "" && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return String(a ?? "").localeCompare(String(b ?? ""));
}

function like(value: unknown, pattern: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .split("%")
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
    "i",
  );
  return re.test(String(value ?? ""));
}

function asText(v: unknown): unknown {
  return typeof v === "object" && v !== null ? JSON.stringify(v) : v;
}

function matchCondition(
  item: JsonObject,
  key: string,
  expected: JsonValue,
  allowed: Set<string>,
): boolean {
  const op = OPS.find((o) => key.startsWith(o)) ?? "=";
  const field = key.startsWith(op) ? key.slice(op.length) : key;
  if (!allowed.has(field))
    throw new ApiError(
      "VALIDATION_FIELD_NOT_ALLOWED_IN_FILTER",
      `Field "${field}" is not allowed in the "filter".`,
    );
  const v = asText(item[field]);
  const list = Array.isArray(expected) ? expected : [expected];
  switch (op) {
    case "=":
      return Array.isArray(expected)
        ? list.some((e) => compare(v, e) === 0)
        : compare(v, expected) === 0;
    case "!":
    case "!=":
      return compare(v, expected) !== 0;
    case ">":
      return compare(v, expected) > 0;
    case ">=":
      return compare(v, expected) >= 0;
    case "<":
      return compare(v, expected) < 0;
    case "<=":
      return compare(v, expected) <= 0;
    case "@":
      return list.some((e) => compare(v, e) === 0);
    case "!@":
      return !list.some((e) => compare(v, e) === 0);
    case "%":
      return String(v ?? "")
        .toLowerCase()
        .includes(String(expected).toLowerCase());
    case "=%":
    case "%=":
      return like(v, String(expected));
  }
}

function matches(item: JsonObject, filter: JsonObject, allowed: Set<string>): boolean {
  const logic = String(filter.logic ?? "AND").toUpperCase();
  if (logic !== "AND" && logic !== "OR")
    throw new ApiError(
      "VALIDATION_INVALID_FILTER_LOGIC",
      'Field "logic" must be either "AND" or "OR".',
    );
  const results = Object.entries(filter)
    .filter(([k]) => k !== "logic")
    .map(([k, v]) =>
      /^\d+$/.test(k) && isJsonObject(v)
        ? matches(item, v, allowed)
        : matchCondition(item, k, v, allowed),
    );
  return logic === "AND" ? results.every(Boolean) : results.length === 0 || results.some(Boolean);
}

/** select / filter / order / page over stored items, as biconnector lists do. */
export function runList(
  items: JsonObject[],
  params: JsonObject,
  allowedFields: string[],
): JsonObject[] {
  const allowed = new Set(allowedFields);
  const { select, filter, order } = params;
  if (select !== undefined && !Array.isArray(select))
    throw new ApiError("VALIDATION_SELECT_TYPE", 'Parameter "select" must be array.');
  if (filter !== undefined && !isJsonObject(filter))
    throw new ApiError("VALIDATION_FILTER_TYPE", 'Parameter "filter" must be array.');
  if (order !== undefined && !isJsonObject(order))
    throw new ApiError("VALIDATION_ORDER_TYPE", 'Parameter "order" must be array.');
  const fields =
    !select || select.length === 0 || select.includes("*") ? allowedFields : select.map(String);
  for (const f of fields)
    if (!allowed.has(f))
      throw new ApiError(
        "VALIDATION_FIELD_NOT_ALLOWED_IN_SELECT",
        `Field "${f}" is not allowed in the "select".`,
      );
  let rows = filter ? items.filter((i) => matches(i, filter, allowed)) : [...items];
  if (order) {
    const keys = Object.entries(order).map(([field, dir]) => {
      if (!allowed.has(field))
        throw new ApiError(
          "VALIDATION_FIELD_NOT_ALLOWED_IN_ORDER",
          `Field "${field}" is not allowed in the "order".`,
        );
      const d = String(dir).toUpperCase();
      if (d !== "ASC" && d !== "DESC")
        throw systemError(400, "ERROR_ARGUMENT", `Invalid order "${d}"`);
      return { field, sign: d === "ASC" ? 1 : -1 };
    });
    rows = rows.sort((a, b) => {
      for (const k of keys) {
        const c = compare(asText(a[k.field]), asText(b[k.field])) * k.sign;
        if (c !== 0) return c;
      }
      return 0;
    });
  }
  const page = Math.max(1, Math.floor(Number(params.page)) || 1);
  return rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((row) => {
    const out: JsonObject = {};
    for (const f of fields) if (row[f] !== undefined) out[f] = row[f];
    return out;
  });
}
