/**
 * Reading text and numbers out of answers a portal (or a proxy in front of it) wrote. Anything
 * there may be of any type: an `error_description` that is an object, an `expires_in` of
 * `{"toString": 1}` (which makes `String(v)` and `Number(v)` throw a TypeError), a value nested
 * 20,000 arrays deep (which makes every recursive walk, `JSON.stringify` included, overflow the
 * stack). These helpers never throw and never recurse.
 */

/** How deep an answer may nest. The biconnector answers nest five levels at most (batch → item → settings → …). */
export const MAX_ANSWER_DEPTH = 64;

/** Longest text taken from one value of an answer before it is redacted and cut (see redact.ts). */
const MAX_RENDERED = 64 * 1024;

/** Whether `v` nests deeper than `max` levels of arrays and objects (an iterative walk). */
export function nestsDeeperThan(v: unknown, max = MAX_ANSWER_DEPTH): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v, depth: 0 }];
  while (stack.length) {
    const { v: x, depth } = stack.pop()!;
    if (typeof x !== "object" || x === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(x)) stack.push({ v: child, depth: depth + 1 });
  }
  return false;
}

/**
 * A value of an answer as text for a message: strings as they are, numbers, booleans and null as
 * JSON writes them, arrays and objects as JSON (too deep: a note saying so) — never
 * `[object Object]`, never a TypeError. undefined gives "".
 */
export function answerText(v: unknown): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (typeof v !== "object") return typeof v;
  if (nestsDeeperThan(v))
    return `(${Array.isArray(v) ? "an array" : "an object"} nested too deep to show)`;
  try {
    const text = JSON.stringify(v);
    return text.length > MAX_RENDERED ? text.slice(0, MAX_RENDERED) : text;
  } catch {
    return Array.isArray(v) ? "(an array)" : "(an object)";
  }
}

/**
 * A number an answer gives as a number or a numeric string; NaN for anything else (an object whose
 * `toString` is not a function would make `Number(v)` throw).
 */
export function answerNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "") return Number(v);
  return NaN;
}
