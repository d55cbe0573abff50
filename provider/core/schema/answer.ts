import { z } from "zod";
import { Bitrix24AnswerError } from "../errors/errors";
import { FieldSpec, JsonObject, ResourceSchema, isJsonObject } from "./spec";
import { describeValue } from "./describe";

/**
 * What the portal's answers may hold, built from the same schema as the inputs: an item is an
 * object with an id; every field it carries has its declared type (lists give ids as strings,
 * `get` as numbers: both are accepted, but only as safe integers — an id beyond 2^53 would be
 * rounded to another object's id). A missing field is fine (list items lack some that `get` has);
 * a field of the wrong type is refused, never coerced into state.
 */
const safeInteger = z.union([
  z.number().refine(Number.isSafeInteger, "an integer within ±2^53"),
  z
    .string()
    .regex(/^-?\d+$/)
    .refine((s) => Number.isSafeInteger(Number(s)), "an integer within ±2^53"),
]);

function answerType(f: FieldSpec): z.ZodType {
  switch (f.type) {
    case "integer":
      return safeInteger;
    case "boolean":
      return z.boolean();
    case "string":
      return z.string();
    case "map":
      return z.record(z.string(), z.union([z.string(), z.number()]));
    case "array":
      return f.items ? z.array(z.looseObject(answerShape(f.items))) : z.array(z.unknown());
  }
}

function answerShape(fields: readonly FieldSpec[]): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) if (!f.providerOnly) shape[f.name] = answerType(f).nullish();
  return shape;
}

const cache = new WeakMap<ResourceSchema, z.ZodType>();

function answerSchema(schema: ResourceSchema): z.ZodType {
  let s = cache.get(schema);
  if (!s) {
    const shape = answerShape(schema.fields);
    shape.id = safeInteger.refine((v) => Number(v) > 0, "a positive id");
    cache.set(schema, (s = z.looseObject(shape)));
  }
  return s;
}

/**
 * The item of an answer, checked: a Bitrix24AnswerError naming the method when it holds no object
 * (`result: null`, `{}`, `item: {}`) or a field of the wrong type. A deleted object is not this
 * case: the portal says so with its not-found error code.
 */
export function checkApiItem(schema: ResourceSchema, item: unknown, method: string): JsonObject {
  if (!isJsonObject(item) || Object.keys(item).length === 0)
    throw new Bitrix24AnswerError(
      method,
      `expected a ${schema.object} object, got ${isJsonObject(item) ? "an empty object" : describeValue(item)}`,
    );
  const result = answerSchema(schema).safeParse(item);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`));
    let value: unknown = item;
    for (const p of issue.path)
      value = isJsonObject(value) || Array.isArray(value) ? (value as never)[p] : undefined;
    throw new Bitrix24AnswerError(
      method,
      `${schema.object}${path.join("")} is ${describeValue(value)}, not ${expected(issue.path, schema)}`,
    );
  }
  return item;
}

function expected(path: readonly PropertyKey[], schema: ResourceSchema): string {
  let fields: readonly FieldSpec[] | undefined = schema.fields;
  let spec: FieldSpec | undefined;
  for (const p of path) {
    if (typeof p === "number") continue;
    if (spec?.type === "map") break;
    spec = fields?.find((f) => f.name === p);
    fields = spec?.items;
  }
  if (!spec) return "a valid value";
  if (spec.name === "id" || spec.type === "integer") return "an integer within ±2^53";
  if (spec.type === "map") return "an object of string or number values";
  if (spec.type === "array") return "a list of objects";
  return `a ${spec.type}`;
}
