import { LIST_PAGE_SIZE } from "../limits/apiLimits";
import { answerNumber, answerText } from "../transport/answerValues";
import { ReadBack, isWrite } from "../batching/batchCommands";
import { GetAnswer, Page, PageCache, pageOf, pageParams } from "../batching/pageCache";
import { ApiRequest, Trace, newTrace } from "../request";
import {
  Bitrix24AnswerError,
  Bitrix24DeadlineError,
  Bitrix24ProviderError,
  Bitrix24TransportError,
} from "../../errors/errors";
import { RedactedError } from "../../errors/redact";
import { RetrySettings, retrying, retryOptions, verdictAllowsRetry } from "../retry/retry";
import { FEW_ATTEMPTS, classify, isIdempotent } from "../retry/verdicts";
import { JsonObject, JsonValue, isJsonObject } from "../../schema/spec";

/** What an operation needs from its client. */
export interface OperationHost {
  /** One call, alone. */
  send(req: ApiRequest): Promise<JsonValue>;
  /**
   * One call that may travel with others in a `batch`, with a page to read back with a write; not
   * sent before `after` has resolved (and never, when it rejects: the call fails with its error).
   */
  sendCoalesced(req: ApiRequest, readBack?: ReadBack, after?: Promise<void>): Promise<JsonValue>;
  readonly settings: RetrySettings;
  /** Short-lived list pages that serve reads (none: every read is a `get`). */
  readonly pages?: PageCache;
}

/**
 * One Pulumi operation (a check, create, read, update or delete, or a lookup): every call it makes,
 * with all their retries, shares one deadline (bitrix24:operationTimeoutMs).
 */
export class Operation {
  /** Pages read back with this operation's own writes: they serve its own reads only. */
  private readonly readBacks: { list: string; page: Page }[] = [];
  /** Every request this operation sent and the last error: what its deadline error tells. */
  readonly trace: Trace = newTrace();

  constructor(
    private readonly host: OperationHost,
    readonly deadline: number,
  ) {}

  call(method: string, params: JsonObject = {}): Promise<JsonValue> {
    if (isWrite(method)) this.readBacks.length = 0;
    return this.host.send(this.request(method, params));
  }

  /**
   * A call that may travel with others in one `batch` request (the reads and writes that the
   * engine issues together). Its result and errors are its own, exactly as with `call`. A write
   * may ask for a list page to be read back in the same request (`readBack`), which then serves
   * the read that follows it (see pageCache.ts). `after`: what must have landed before the call may
   * leave (a create's record); it waits in the batcher's window meanwhile, so the two overlap.
   */
  callCoalesced(
    method: string,
    params: JsonObject = {},
    readBack?: ReadBack,
    after?: Promise<void>,
  ): Promise<JsonValue> {
    if (isWrite(method)) this.readBacks.length = 0; // read back before this write: stale now
    const mine = readBack && {
      ...readBack,
      deliver: (r: JsonValue) =>
        this.readBacks.push({ list: readBack.list, page: pageOf(readBack.query, r) }),
    };
    return this.host.sendCoalesced(this.request(method, params), mine, after);
  }

  /** A call of this operation: its deadline, its trace, and whether it may be repeated. */
  private request(method: string, params: JsonObject): ApiRequest {
    return {
      method,
      params,
      deadline: this.deadline,
      idempotent: isIdempotent(method),
      trace: this.trace,
    };
  }

  /**
   * One object read through short-lived list pages (50 objects a request) instead of a `get`:
   * the object, `null` when it does not exist, or undefined when the pages cannot tell (then `get`).
   */
  async readThroughPages(list: string, id: number): Promise<JsonObject | null | undefined> {
    const own = this.readBack(list, id);
    if (own !== undefined) return own;
    return this.host.pages?.read(list, id, (q) => this.callCoalesced(list, pageParams(q)));
  }

  /**
   * The object as a page read back with this operation's own write has it (`null`: that page shows
   * it absent), or undefined when no such page speaks for it. Sends nothing.
   */
  readBack(list: string, id: number): JsonObject | null | undefined {
    const own = [...this.readBacks].reverse().find((r) => r.list === list && r.page.covers(id));
    return own ? (own.page.items.get(id) ?? null) : undefined;
  }

  /**
   * One object's `get`, reading ahead the objects that follow it on its list page for the reads to
   * come (see pageCache.ts): the `get` result, ABSENT when it does not exist (`isNotFound`).
   */
  getAhead(
    list: string,
    method: string,
    id: number,
    isNotFound: (e: unknown) => boolean,
  ): Promise<GetAnswer> {
    if (!this.host.pages) return this.callCoalesced(method, { id });
    return this.host.pages.readAhead(
      list,
      method,
      id,
      (q) => this.callCoalesced(list, pageParams(q)),
      (k) => this.callCoalesced(method, { id: k }),
      isNotFound,
    );
  }

  /**
   * Every page of a biconnector list (50 a page, no `total`: a shorter page is the last one), all
   * within the operation's deadline. A page of items all seen before means the portal (or a proxy)
   * ignores `page` or repeats a page: paging stops there with an error instead of running for ever.
   * A partial overlap is tolerated (objects created meanwhile shift a list sorted newest first) and
   * its repeated items are dropped.
   */
  async listAll(method: string, params: JsonObject = {}): Promise<JsonObject[]> {
    const items: JsonObject[] = [];
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      const batch = await this.listPage(method, { ...params, page }, page);
      const fresh = batch.filter((item) => !seen.has(itemKey(item)));
      if (batch.length > 0 && fresh.length === 0)
        throw new Bitrix24AnswerError(
          method,
          `page ${page} repeats items of earlier pages (the portal or a proxy ignores \`page\`, or ` +
            `repeats a page); paging stopped after ${page} requests`,
        );
      for (const item of fresh) seen.add(itemKey(item));
      items.push(...fresh);
      if (batch.length < LIST_PAGE_SIZE) return items;
    }
  }

  /**
   * Every object of a list, paged by id: ascending, each page the objects above the last id seen
   * (`filter[>id]`, 50 a page, a shorter page is the last). Unlike page numbers, an object deleted
   * (or created) between two pages cannot make the next page skip one that exists. A page whose
   * ids are not all above the last one means the portal or a proxy ignores the filter: paging
   * stops there with an error instead of running for ever.
   */
  async listAllById(method: string, params: JsonObject = {}): Promise<JsonObject[]> {
    const filter = isJsonObject(params.filter) ? params.filter : {};
    const floor = answerNumber(filter[">id"]);
    let after = Number.isFinite(floor) ? floor : 0;
    const items: JsonObject[] = [];
    for (let page = 1; ; page++) {
      const query = { ...params, filter: { ...filter, ">id": after }, order: { id: "ASC" } };
      const result = await this.listPage(method, query, page);
      const ids = result.map((item) => answerNumber(item.id));
      if (!ids.every((id) => Number.isSafeInteger(id) && id > after))
        throw new Bitrix24AnswerError(
          method,
          `page ${page} holds ids that are not above ${after}, the last one read (the portal or a ` +
            `proxy ignores filter[>id]); paging stopped after ${page} requests`,
        );
      items.push(...result);
      if (result.length < LIST_PAGE_SIZE) return items;
      after = Math.max(...ids);
    }
  }

  /** One page of a list: an array of objects, else an error saying what came instead. */
  private async listPage(method: string, params: JsonObject, page: number): Promise<JsonObject[]> {
    const result = await this.callCoalesced(method, params);
    // A list answers an array of objects. Anything else is no "nothing there": reading it as
    // empty would let a lost add's reconciliation add again.
    if (!Array.isArray(result) || !result.every(isJsonObject))
      throw new Bitrix24AnswerError(
        method,
        `page ${page} is ${Array.isArray(result) ? "an array holding non-objects" : `not an array (${result === null ? "null" : typeof result})`}, not a list of objects`,
      );
    return result;
  }

  /**
   * `add` is not idempotent: a failed add may still have made its object (a lost answer, a 5xx,
   * or a portal that applied it and answered an error anyway). No layer below repeats an add;
   * here, before each repeat, `findCommitted` looks for what the failed attempt may have made
   * (list by title, same fields, unclaimed) and returns its id, or undefined — only then is the
   * add sent again. When the look itself fails, nothing is added again: the create fails saying
   * so. Nothing lost, nothing duplicated.
   */
  addOnce<T>(
    label: string,
    add: () => Promise<T>,
    findCommitted: () => Promise<T | undefined>,
  ): Promise<T> {
    let attempts = 0;
    // Which failures an add is repeated after (once its object is known not to exist): those a
    // repeatable call would be repeated after, and an expired token (the auth layer refreshed it).
    const repeatable = (e: unknown): boolean =>
      classify(e) === "refresh" ? attempts < FEW_ATTEMPTS : verdictAllowsRetry(e, true, attempts);
    return retrying(
      async () => {
        attempts++;
        try {
          return await add();
        } catch (e) {
          if (!repeatable(e)) return this.adoptAfterFinalFailure(e, findCommitted);
          const found = await this.lookAfterFailedAdd(label, e, findCommitted);
          if (found !== undefined) return found;
          if (answeredByPortal(e)) throw contradicted(label, e);
          throw e; // not applied after all: safe to add again
        }
      },
      {
        ...retryOptions(this.host.settings, label, this.deadline, true),
        trace: this.trace,
        retryOn: repeatable,
      },
    );
  }

  /**
   * An add that failed for good may still have made its object (a portal that applies it and
   * answers an error anyway): left there, the next `up` would add a second one. So one look: the
   * object it made is taken as the create's result; otherwise — or when the look fails too — the
   * add's own error stands.
   */
  private async adoptAfterFinalFailure<T>(
    failure: unknown,
    findCommitted: () => Promise<T | undefined>,
  ): Promise<T> {
    if (failure instanceof Bitrix24DeadlineError) throw failure; // no time left to look
    let found: T | undefined;
    try {
      found = await findCommitted();
    } catch {
      throw failure;
    }
    if (found === undefined) throw failure;
    return found;
  }

  private async lookAfterFailedAdd<T>(
    label: string,
    failure: unknown,
    findCommitted: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    try {
      return await findCommitted();
    } catch (e) {
      if (e instanceof Bitrix24DeadlineError) throw e;
      const why = failure instanceof Error ? failure.message : "it failed";
      const lookup = e instanceof RedactedError ? e.message : "an unexpected error";
      throw new Bitrix24ProviderError(
        `${why}. Looking for what the ${label} may have created failed as well (${lookup}), so it ` +
          "was not sent again: the object may exist. Run `pulumi refresh`, then `pulumi up`; an object " +
          "the add made can be taken over with adoptId.",
        { cause: e },
      );
    }
  }
}

/**
 * Whether a failed add was answered by the portal (a 2xx that could not be read, or a batch answer
 * without the add's result): the portal ran the request, so what it did is done. A lost answer, a
 * timeout or a 5xx is not this case: the request may never have reached the module.
 */
function answeredByPortal(e: unknown): e is Bitrix24TransportError {
  return (
    e instanceof Bitrix24TransportError &&
    e.httpStatus !== undefined &&
    e.httpStatus >= 200 &&
    e.httpStatus < 300
  );
}

/**
 * An add the portal answered, whose object the look does not find: the portal contradicts itself
 * (its list may be as unreliable as its answer). Adding again could make a second object each
 * time, so it is not sent again.
 */
function contradicted(label: string, failure: Bitrix24TransportError): Bitrix24ProviderError {
  return new Bitrix24ProviderError(
    `${failure.message}. The portal answered the ${label} (HTTP ${failure.httpStatus}), but no ` +
      "object it made was found, so it was not sent again: the object may exist. Run `pulumi " +
      "refresh`, then `pulumi up`; an object the add made can be taken over with adoptId.",
    { cause: failure },
  );
}

/** An item's identity across pages: its id, or (no id) its whole content. */
function itemKey(item: JsonObject): string {
  return item.id !== undefined && item.id !== null
    ? `id:${answerText(item.id)}`
    : `item:${answerText(item)}`;
}
