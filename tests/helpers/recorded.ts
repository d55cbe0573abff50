import * as fs from "fs";
import * as path from "path";
import { JsonValue, isJsonObject } from "../../provider/core/schema/spec";

/**
 * An example answer the official Bitrix24 REST docs publish (tests/fixtures/bitrix24/*.json): the
 * page and commit it comes from, what it shows, the HTTP status the page states, and the body
 * exactly as published.
 */
export interface RecordedAnswer {
  source: string;
  note: string;
  httpStatus: number;
  body: JsonValue;
}

export const RECORDED_DIR = path.join(__dirname, "..", "fixtures", "bitrix24");

/** The names of every recorded answer (file names without `.json`). */
export function recordedNames(): string[] {
  return fs
    .readdirSync(RECORDED_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

export function recorded(name: string): RecordedAnswer {
  const raw: unknown = JSON.parse(fs.readFileSync(path.join(RECORDED_DIR, `${name}.json`), "utf8"));
  if (
    !isJsonObject(raw) ||
    typeof raw.source !== "string" ||
    typeof raw.note !== "string" ||
    typeof raw.httpStatus !== "number" ||
    raw.body === undefined
  )
    throw new Error(`${name}.json is not {source, note, httpStatus, body}`);
  return { source: raw.source, note: raw.note, httpStatus: raw.httpStatus, body: raw.body };
}

/** `body.result` of a recorded success answer (for tests that feed parts of it onward). */
export function recordedResult(name: string): JsonValue {
  const { body } = recorded(name);
  if (!isJsonObject(body) || !("result" in body)) throw new Error(`${name}: no result`);
  return body.result;
}

/**
 * The shape of a JSON value: its type, and recursively the keys of objects and the first item of
 * arrays. Two answers with the same shape carry the same keys with the same kinds of values.
 */
export type Shape = string | Shape[] | { [key: string]: Shape };

export function shapeOf(v: JsonValue): Shape {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.length ? [shapeOf(v[0])] : [];
  if (isJsonObject(v)) {
    const out: { [key: string]: Shape } = {};
    for (const k of Object.keys(v).sort()) out[k] = shapeOf(v[k]);
    return out;
  }
  return typeof v;
}

const isEmpty = (s: Shape): boolean => typeof s !== "string" && Object.keys(s).length === 0;

const kind = (s: Shape): string =>
  typeof s === "string" ? s : Array.isArray(s) ? "array" : "object";

/**
 * Every difference between two shapes, one line each, as `path: recorded X, emulator Y` (`-`
 * where a key is missing). An empty array or object matches any array or object: it has no item
 * or key to compare, and PHP sends an empty map as `[]`.
 */
export function shapeDiff(recordedShape: Shape, emulated: Shape, at = "body"): string[] {
  // PHP sends an empty map as `[]`: an empty container matches any container.
  if (isEmpty(recordedShape) || isEmpty(emulated))
    if (typeof recordedShape !== "string" && typeof emulated !== "string") return [];
  const a = kind(recordedShape);
  const b = kind(emulated);
  if (a !== b) return [`${at}: recorded ${a}, emulator ${b}`];
  if (Array.isArray(recordedShape) && Array.isArray(emulated))
    return shapeDiff(recordedShape[0], emulated[0], `${at}[0]`);
  if (typeof recordedShape === "object" && typeof emulated === "object") {
    const r = recordedShape as { [key: string]: Shape };
    const e = emulated as { [key: string]: Shape };
    const keys = [...new Set([...Object.keys(r), ...Object.keys(e)])].sort();
    return keys.flatMap((k) => {
      if (!(k in e)) return [`${at}.${k}: recorded ${kind(r[k])}, emulator -`];
      if (!(k in r)) return [`${at}.${k}: recorded -, emulator ${kind(e[k])}`];
      return shapeDiff(r[k], e[k], `${at}.${k}`);
    });
  }
  return [];
}
