import { LIST_PAGE_SIZE } from "../limits/apiLimits";
import { answerNumber } from "../transport/answerValues";
import { JsonObject, JsonValue, isJsonObject } from "../../schema/spec";

/**
 * How long a list page may serve reads. Long enough for the engine's next waves of the same
 * operation (at parallelism 16 it reads 16 objects at a time, one wave right after the other),
 * short enough to never outlive it by much. A page never crosses processes: every `pulumi`
 * command starts a new provider process, so each refresh sees the portal as it is.
 */
export const PAGE_TTL_MS = 5_000;

/** The part of a biconnector list one page answer covers, by object id. */
export type PageQuery =
  /** `filter[>=id]`, ascending: the (up to) 50 objects from this id upward. */
  | { readonly from: number }
  /** Descending by id, no filter: the 50 newest objects (those an `add` just made). */
  | { readonly newest: true }
  /** `filter[@id]`: exactly these objects (at most 50). */
  | { readonly ids: readonly number[] };

/** The list params for a page query (lists have no default order: always give one). */
export function pageParams(q: PageQuery): JsonObject {
  if ("from" in q) return { filter: { ">=id": q.from }, order: { id: "ASC" } };
  if ("newest" in q) return { order: { id: "DESC" } };
  return { filter: { "@id": [...q.ids] }, order: { id: "ASC" } };
}

/** One page answer: its objects by id and the ids it speaks for (present or known absent). */
export interface Page {
  readonly items: ReadonlyMap<number, JsonObject>;
  covers(id: number): boolean;
}

const NOTHING: Page = { items: new Map(), covers: () => false };

/**
 * What a page answer proves. A full page (50) proves only the id range it spans; a shorter one
 * is the end of the list. A page that contradicts its own query (an item outside the filter: a
 * portal that ignored it) proves nothing, so reads fall back to `get`.
 */
export function pageOf(q: PageQuery, result: JsonValue): Page {
  if (!Array.isArray(result)) return NOTHING;
  const items = new Map<number, JsonObject>();
  for (const raw of result) {
    const id = isJsonObject(raw) ? answerNumber(raw.id) : NaN;
    if (!Number.isInteger(id) || !isJsonObject(raw)) return NOTHING;
    items.set(id, raw);
  }
  const ids = [...items.keys()];
  const full = result.length >= LIST_PAGE_SIZE;
  if ("ids" in q) {
    const asked = new Set(q.ids);
    if (ids.some((id) => !asked.has(id))) return NOTHING;
    return { items, covers: (id) => asked.has(id) };
  }
  if ("from" in q) {
    if (ids.some((id) => id < q.from)) return NOTHING;
    const hi = full ? Math.max(...ids) : Infinity;
    return { items, covers: (id) => id >= q.from && id <= hi };
  }
  const lo = full ? Math.min(...ids) : -Infinity;
  return { items, covers: (id) => id >= lo };
}

/**
 * "The object does not exist" (its not-found error), kept apart from a `get` whose answer held
 * `null`: that is a malformed answer for the reader to refuse, never a deletion.
 */
export const ABSENT: unique symbol = Symbol("absent");
export type GetAnswer = JsonValue | typeof ABSENT;

/** One `get` answer kept: the result, or ABSENT when the object does not exist. */
interface KeptGet {
  readonly method: string;
  readonly id: number;
  readonly result: GetAnswer;
  readonly until: number;
}

interface Stored {
  readonly list: string;
  readonly page: Page;
  readonly until: number;
}

interface InFlight {
  readonly list: string;
  /** Ids the answer is sure to speak for, whatever it holds (a `from` page spans ≥ 50 ids). */
  readonly sure: (id: number) => boolean;
  readonly answer: Promise<Page>;
  /** The write generation it was sent in: after a write, a read waits for no older answer. */
  readonly generation: number;
}

/**
 * A short-lived cache of list pages, per client: refresh reads served from pages of 50 objects
 * instead of one `get` each. Any write (add, update, delete, fields.update — started or finished)
 * drops every page, and a page whose request overlapped a write is handed to its waiting reads
 * but never kept.
 */
export class PageCache {
  private generation = 0;
  private stored: Stored[] = [];
  private inFlight: InFlight[] = [];
  private gets: KeptGet[] = [];
  private getsInFlight: {
    method: string;
    ids: Set<number>;
    done: Promise<void>;
    generation: number;
  }[] = [];

  constructor(
    private readonly ttlMs = PAGE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A write started or ended: nothing read before it may serve a read after it. */
  invalidate(): void {
    this.generation++;
    this.stored = [];
    this.gets = [];
  }

  /** The object as a page has it (`null`: known absent), or undefined when no page speaks for it. */
  lookup(list: string, id: number): JsonObject | null | undefined {
    const t = this.now();
    this.stored = this.stored.filter((s) => s.until > t);
    for (const s of this.stored)
      if (s.list === list && s.page.covers(id)) return s.page.items.get(id) ?? null;
    return undefined;
  }

  /** Keeps a page answered without a write since `generation` was read. */
  keep(list: string, q: PageQuery, result: JsonValue, generation: number): Page {
    const page = pageOf(q, result);
    if (generation === this.generation && page !== NOTHING)
      this.stored.push({ list, page, until: this.now() + this.ttlMs });
    return page;
  }

  /**
   * Reads one object through list pages: from a kept page, from a page already on its way that
   * surely covers it, or from a new page starting at its id (the engine's next reads are usually
   * its neighbours). `null`: the object does not exist; undefined: the page could not tell.
   */
  async read(
    list: string,
    id: number,
    fetchPage: (q: PageQuery) => Promise<JsonValue>,
  ): Promise<JsonObject | null | undefined> {
    const kept = this.lookup(list, id);
    if (kept !== undefined) return kept;
    const pending = this.inFlight.find(
      (f) => f.list === list && f.generation === this.generation && f.sure(id),
    );
    const page = await (pending?.answer ?? this.request(list, { from: id }, fetchPage));
    if (!page.covers(id)) return undefined;
    return page.items.get(id) ?? null;
  }

  /**
   * Reads one object with `get` (for objects whose list items lack what `get` has: a table's
   * columns) and reads ahead for the reads to come: the list page from its id tells which objects
   * follow it, and their `get`s go out together (one batch request per 50). The `get` result, or
   * ABSENT when the object does not exist (`isNotFound`); other errors are its own.
   */
  async readAhead(
    list: string,
    method: string,
    id: number,
    fetchPage: (q: PageQuery) => Promise<JsonValue>,
    get: (id: number) => Promise<JsonValue>,
    isNotFound: (e: unknown) => boolean,
  ): Promise<GetAnswer> {
    const kept = this.keptGet(method, id);
    if (kept) return kept.result;
    const pending = this.getsInFlight.find(
      (f) => f.method === method && f.generation === this.generation && f.ids.has(id),
    );
    if (pending) {
      await pending.done;
      const now = this.keptGet(method, id);
      if (now) return now.result;
    }
    const generation = this.generation;
    const [own] = this.fetchGets(method, [id], get, isNotFound, generation);
    this.pageFor(list, id, fetchPage).then(
      (page) => {
        if (generation !== this.generation) return;
        const next = [...page.items.keys()].filter(
          (k) => !this.keptGet(method, k) && !this.getInFlight(method, k, generation),
        );
        if (next.length) void this.fetchGets(method, next, get, isNotFound, generation);
      },
      () => undefined, // reading ahead only: the object's own get decides
    );
    try {
      return await own;
    } catch (e) {
      if (isNotFound(e)) return ABSENT;
      throw e;
    }
  }

  /** The kept page, or the page on its way, or a new page that speaks for this id. */
  private pageFor(
    list: string,
    id: number,
    fetchPage: (q: PageQuery) => Promise<JsonValue>,
  ): Promise<Page> {
    const t = this.now();
    const kept = this.stored.find((s) => s.until > t && s.list === list && s.page.covers(id));
    if (kept) return Promise.resolve(kept.page);
    const pending = this.inFlight.find(
      (f) => f.list === list && f.generation === this.generation && f.sure(id),
    );
    return pending?.answer ?? this.request(list, { from: id }, fetchPage);
  }

  private getInFlight(method: string, id: number, generation: number): boolean {
    return this.getsInFlight.some(
      (f) => f.method === method && f.generation === generation && f.ids.has(id),
    );
  }

  /** Sends these gets (they coalesce into batches), keeps their answers; one promise per id. */
  private fetchGets(
    method: string,
    ids: number[],
    get: (id: number) => Promise<JsonValue>,
    isNotFound: (e: unknown) => boolean,
    generation: number,
  ): Promise<JsonValue>[] {
    const answers = ids.map((k) => get(k));
    const kept = answers.map((answer, n) =>
      answer.then(
        (result) => this.keepGet(method, ids[n], result, generation),
        (e: unknown) => {
          if (isNotFound(e)) this.keepGet(method, ids[n], ABSENT, generation);
        },
      ),
    );
    const entry = {
      method,
      ids: new Set(ids),
      generation,
      done: Promise.all(kept).then(() => undefined),
    };
    this.getsInFlight.push(entry);
    const done = () => (this.getsInFlight = this.getsInFlight.filter((f) => f !== entry));
    entry.done.then(done, done);
    return answers;
  }

  private keptGet(method: string, id: number): KeptGet | undefined {
    const t = this.now();
    this.gets = this.gets.filter((g) => g.until > t);
    return this.gets.find((g) => g.method === method && g.id === id);
  }

  private keepGet(method: string, id: number, result: GetAnswer, generation: number): void {
    if (generation === this.generation)
      this.gets.push({ method, id, result, until: this.now() + this.ttlMs });
  }

  private request(
    list: string,
    q: { from: number },
    fetchPage: (q: PageQuery) => Promise<JsonValue>,
  ): Promise<Page> {
    const generation = this.generation;
    const answer = fetchPage(q).then((r) => this.keep(list, q, r, generation));
    const entry: InFlight = {
      list,
      sure: (id) => id >= q.from && id < q.from + LIST_PAGE_SIZE,
      answer,
      generation,
    };
    this.inFlight.push(entry);
    const done = () => (this.inFlight = this.inFlight.filter((f) => f !== entry));
    answer.then(done, done);
    return answer;
  }
}
