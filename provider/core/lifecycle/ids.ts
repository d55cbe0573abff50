import { Bitrix24AnswerError } from "../errors/errors";

/**
 * Bitrix24 ids are positive integers (lists may send them as strings of digits), within 2^53: a
 * larger one would be silently rounded to another object's id. Anything else is unreadable, and
 * the error says in words what came (never quoting the value whole, never a JavaScript word).
 */
export function parseId(raw: unknown, method: string): number {
  const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n === "number" && Number.isSafeInteger(n) && n > 0) return n;
  throw new Bitrix24AnswerError(
    method,
    `expected a positive integer id (at most 2^53), but ${describeId(raw)}`,
  );
}

/** What an unreadable id is, in words a user reads (no `undefined`, `NaN`, `null`…). */
export function describeId(raw: unknown): string {
  if (raw === undefined) return "the answer has no id";
  if (raw === null) return "the id is empty";
  if (Array.isArray(raw)) return "the id is a list";
  if (typeof raw === "object") return "the id is an object";
  if (typeof raw === "boolean") return "the id is a boolean";
  if (typeof raw === "string")
    return raw === ""
      ? "the id is an empty string"
      : `the id is a string of ${raw.length} characters that is not all digits`;
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) return "the id is not a finite number";
    if (!Number.isInteger(raw)) return "the id is a fraction";
    return raw <= 0 ? "the id is zero or negative" : "the id is above 2^53";
  }
  return `the id is of an unexpected kind (${typeof raw})`;
}
