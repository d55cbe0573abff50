import { answerText } from "../transport/answerValues";
import { ApiRequest } from "../request";
import { Bitrix24Error, Bitrix24TransportError } from "../../errors/errors";
import { RedactedError } from "../../errors/redact";
import { PageQuery } from "./pageCache";
import { JsonObject, JsonValue, isJsonObject } from "../../schema/spec";

/*
 * What a batch is made of: which calls may share one, how its commands are formed from the calls
 * waiting, and how one command's answer or error is read out of the batch's answer. The batcher
 * (batcher.ts) decides when a batch leaves and what happens to each call after it came back.
 */

/**
 * A `batch` request must finish within the portal's 60-second request time, and every source
 * `add` or `update` in it makes the portal call the connector's urlCheck endpoint first, one after
 * the other. Rule: at most 5 such commands share one batch — 5 checks of up to ~10 s each still
 * leave a margin under 60 s; the rest wait for the next batch (sent right after, not later).
 */
export const MAX_URL_CHECKS_PER_BATCH = 5;
export const CALLS_URL_CHECK = /^biconnector\.source\.(add|update)$/;

/** Methods that change data: add, update, delete and fields.update. */
export const isWrite = (method: string): boolean => /\.(add|update|delete)$/.test(method);
export const isRead = (method: string): boolean => /\.(get|list)$/.test(method);

/**
 * A batch command travels as a form-encoded query string (`method?a=1&b[c]=2`), which the portal
 * parses into strings only. The module checks booleans strictly (PHP is_bool: `"true"`, `"1"` and
 * `"Y"` are refused or, worse, read as true for `"false"`), and no query-string form carries a
 * JSON boolean. So a call whose params hold a boolean anywhere (a connector's supportMapping, a
 * column's `visible`) is never batched: it goes alone, as JSON, where booleans stay booleans.
 */
export function hasBoolean(v: JsonValue): boolean {
  if (typeof v === "boolean") return true;
  if (Array.isArray(v)) return v.some(hasBoolean);
  if (isJsonObject(v)) return Object.values(v).some(hasBoolean);
  return false;
}

/**
 * A list page read back in the same batch, right after the writes that asked for it; its answer
 * goes to the operation that asked (`deliver`), never to the shared cache.
 */
export interface ReadBack {
  readonly list: string;
  readonly query: PageQuery;
  readonly deliver?: (result: JsonValue) => void;
}

/** A call waiting for its batch: the request, and what the batch needs to carry and answer it. */
export interface Pending extends ApiRequest {
  readonly readBack?: ReadBack;
  readonly line: string;
  /** When it was handed to the batcher (ms since the epoch). */
  readonly queuedAt: number;
  readonly resolve: (v: JsonValue) => void;
  readonly reject: (e: unknown) => void;
}

/** Errors of one command of a batch: the command's own retry policy judges them (see client.ts). */
const commandErrors = new WeakSet<object>();
export const isCommandError = (e: unknown): boolean =>
  typeof e === "object" && e !== null && commandErrors.has(e);
export function asCommandError<E extends object>(e: E): E {
  commandErrors.add(e);
  return e;
}

export const NOT_ALLOWED = "ERROR_BATCH_METHOD_NOT_ALLOWED";
/** Answers to the `batch` request itself that mean it cannot be used here (not a command's fault). */
export const BATCH_UNAVAILABLE = new Set(["ERROR_METHOD_NOT_FOUND", "insufficient_scope"]);

/**
 * The error a command's answer holds, if any. The biconnector module answers its errors as data,
 * so inside `batch` they arrive as `result[key] = {error: {error, error_description}}` (a flat
 * `{error, error_description}` is accepted too); errors raised outside the module (method not
 * found, not allowed in batch) arrive in `result_error[key]`.
 */
export function commandFailure(
  method: string,
  key: string,
  results: JsonObject,
  errors: JsonObject,
): Bitrix24Error | undefined {
  const outside = errors[key];
  const own = results[key];
  const body = isJsonObject(outside)
    ? outside
    : isJsonObject(own) && "error" in own
      ? isJsonObject(own.error)
        ? own.error
        : own
      : undefined;
  if (!body) return undefined;
  return new Bitrix24Error(
    method,
    answerText(body.error ?? ""),
    answerText(body.error_description),
    200,
  );
}

/** The request a waiting call stands for (without what only the batcher keeps). */
export function requestOf(it: Pending): ApiRequest {
  const { method, params, deadline, idempotent, trace } = it;
  return { method, params, deadline, idempotent, trace };
}

/** The HTTP status a batch's failure came with, when one came. */
export function statusOf(e: unknown): number | undefined {
  return e instanceof Bitrix24TransportError || e instanceof Bitrix24Error
    ? e.httpStatus
    : undefined;
}

export function reasonOf(e: unknown): string {
  if (e instanceof Bitrix24TransportError) return e.reason;
  if (e instanceof Bitrix24Error) return `HTTP ${e.httpStatus} ${e.code}`;
  return "failed";
}

/** The commands of a batch: identical reads share one; every write is its own. */
export function commandsOf(items: Pending[]): Pending[][] {
  const reads = new Map<string, Pending[]>();
  const groups: Pending[][] = [];
  for (const it of items) {
    const same = isRead(it.method) ? reads.get(it.line) : undefined;
    if (same) same.push(it);
    else {
      const g = [it];
      groups.push(g);
      if (isRead(it.method)) reads.set(it.line, g);
    }
  }
  return groups;
}

export function readBackKey(rb: ReadBack): string {
  return `${rb.list}#${"ids" in rb.query ? "ids" : JSON.stringify(rb.query)}`;
}

/** One read-back per list and kind: the ids of several updates go in one `filter[@id]`. */
export function mergeReadBacks(items: Pending[]): (ReadBack & { askedBy: ReadBack[] })[] {
  const merged = new Map<string, ReadBack & { askedBy: ReadBack[] }>();
  for (const it of items) {
    const rb = it.readBack;
    if (!rb) continue;
    const key = readBackKey(rb);
    const had = merged.get(key);
    if (!had) merged.set(key, { list: rb.list, query: rb.query, askedBy: [rb] });
    else {
      had.askedBy.push(rb);
      if ("ids" in had.query && "ids" in rb.query)
        merged.set(key, {
          ...had,
          query: { ids: [...new Set([...had.query.ids, ...rb.query.ids])] },
        });
    }
  }
  return [...merged.values()];
}

/**
 * A batch whose answer broke the code reading it: its calls fail with an error of ours, an add's
 * as ambiguous (the batch may have been applied), the others as their own command errors.
 */
export function unreadable(items: Pending[], e: unknown): void {
  const why = `its batch answer could not be read (${e instanceof RedactedError ? e.message : "malformed"})`;
  for (const it of items) {
    const error = new Bitrix24TransportError(it.method, why, 200); // an answer came, unreadable
    it.reject(it.idempotent ? asCommandError(error) : error);
  }
}
