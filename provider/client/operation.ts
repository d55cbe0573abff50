import { LIST_PAGE_SIZE } from "./apiLimits";
import { ReadBack, isWrite } from "./batcher";
import { GetAnswer, Page, PageCache, pageOf, pageParams } from "./pageCache";
import { Bitrix24AnswerError, Bitrix24TransportError } from "./errors";
import { RetrySettings, retrying, retryOptions } from "./retry";
import { isIdempotent } from "./verdicts";
import { JsonObject, JsonValue, isJsonObject } from "../schema/spec";

/** What an operation needs from its client. */
export interface OperationHost {
  send(
    method: string,
    params: JsonObject,
    deadline: number,
    idempotent: boolean,
  ): Promise<JsonValue>;
  sendCoalesced(
    method: string,
    params: JsonObject,
    deadline: number,
    readBack?: ReadBack,
  ): Promise<JsonValue>;
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

  constructor(
    private readonly host: OperationHost,
    readonly deadline: number,
  ) {}

  call(method: string, params: JsonObject = {}): Promise<JsonValue> {
    if (isWrite(method)) this.readBacks.length = 0;
    return this.host.send(method, params, this.deadline, isIdempotent(method));
  }

  /**
   * A call that may travel with others in one `batch` request (the reads and writes that the
   * engine issues together). Its result and errors are its own, exactly as with `call`. A write
   * may ask for a list page to be read back in the same request (`readBack`), which then serves
   * the read that follows it (see pageCache.ts).
   */
  callCoalesced(method: string, params: JsonObject = {}, readBack?: ReadBack): Promise<JsonValue> {
    if (isWrite(method)) this.readBacks.length = 0; // read back before this write: stale now
    const mine = readBack && {
      ...readBack,
      deliver: (r: JsonValue) =>
        this.readBacks.push({ list: readBack.list, page: pageOf(readBack.query, r) }),
    };
    return this.host.sendCoalesced(method, params, this.deadline, mine);
  }

  /**
   * One object read through short-lived list pages (50 objects a request) instead of a `get`:
   * the object, `null` when it does not exist, or undefined when the pages cannot tell (then `get`).
   */
  async readThroughPages(list: string, id: number): Promise<JsonObject | null | undefined> {
    const own = [...this.readBacks].reverse().find((r) => r.list === list && r.page.covers(id));
    if (own) return own.page.items.get(id) ?? null;
    return this.host.pages?.read(list, id, (q) => this.callCoalesced(list, pageParams(q)));
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
      const result = await this.callCoalesced(method, { ...params, page });
      const batch = Array.isArray(result) ? result.filter(isJsonObject) : [];
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
   * `add` is not idempotent: when its answer is lost (reset, timeout, 5xx) the object may exist.
   * Each attempt adds; after an ambiguous failure `findCommitted` looks for what it may have made
   * (e.g. list by title, same fields, unclaimed) and returns its id, or undefined — then the same
   * retry policy as every call adds again. Nothing lost, nothing duplicated.
   */
  addOnce<T>(
    label: string,
    add: () => Promise<T>,
    findCommitted: () => Promise<T | undefined>,
  ): Promise<T> {
    return retrying(
      async () => {
        try {
          return await add();
        } catch (e) {
          if (!(e instanceof Bitrix24TransportError)) throw e;
          const found = await findCommitted();
          if (found !== undefined) return found;
          throw e; // not applied after all: safe to add again
        }
      },
      {
        ...retryOptions(this.host.settings, label, this.deadline, true),
        // Only the ambiguous failures: every other error was already retried by the call itself.
        retryOn: (e) => e instanceof Bitrix24TransportError,
      },
    );
  }
}

/** An item's identity across pages: its id, or (no id) its whole content. */
function itemKey(item: JsonObject): string {
  return item.id !== undefined && item.id !== null ? `id:${String(item.id)}` : JSON.stringify(item);
}
