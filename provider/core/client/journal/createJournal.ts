import { createHash } from "crypto";
import { TokenStore } from "../stores/tokenStore";

/**
 * Bitrix24 has no idempotency keys, and the engine tells a provider nothing about the creates a
 * killed run left pending: the next `up` just asks for the same create again, and an add sent
 * then makes a second object. So a create of a resource is recorded before its add is sent, where
 * the next run finds it — in the token store, beside the OAuth tokens (the same file, or the same
 * `command:` store, which survives an ephemeral CI runner) — and again with the object's id once
 * the add answered. A create that finds a record of its own resource takes that object instead of
 * adding another (lifecycle/objectProvider.ts). A record ends when the engine shows that it holds
 * the object (a later diff or delete of that resource with that id), not when create returns: the
 * engine may die before it saves what create returned.
 *
 * One entry per stack (key: portal, stack and project), as JSON:
 *   { "version": 1, "creates": { "<resource URN>": { "object": "connector",
 *       "startedAt": "2026-12-07T01:00:00.000Z", "id": 17 } } }
 */
export interface CreateRecord {
  /** The schema's object name: "connector", "source", "dataset". */
  readonly object: string;
  readonly startedAt: string;
  /** The id the add answered; absent while its answer is not known. */
  readonly id?: number;
}

/** `urn:pulumi:<stack>::<project>::…`: the stack and project part, which keys the entry. */
function stackOf(resource: string): string {
  const [stack, project] = resource.split("::");
  return `${stack}::${project}`;
}

function entryKey(portal: string, stack: string): string {
  const digest = createHash("sha256").update(`${portal}|${stack}`).digest("hex");
  return `BITRIX24_CREATES_${digest.slice(0, 20).toUpperCase()}`;
}

function parseRecords(value: unknown): Map<string, CreateRecord> {
  const records = new Map<string, CreateRecord>();
  const creates = (value as { creates?: unknown } | undefined)?.creates;
  if (typeof creates !== "object" || creates === null) return records;
  for (const [resource, r] of Object.entries(creates as Record<string, unknown>)) {
    const rec = r as Partial<CreateRecord> | null;
    if (!rec || typeof rec.object !== "string" || typeof rec.startedAt !== "string") continue;
    const id = Number.isSafeInteger(rec.id) && (rec.id as number) > 0 ? rec.id : undefined;
    records.set(resource, { object: rec.object, startedAt: rec.startedAt, id });
  }
  return records;
}

/** The records of one stack: read once per process, written back as one entry, writes coalesced. */
class StackRecords {
  private records?: Promise<Map<string, CreateRecord>>;
  private writing: Promise<void> = Promise.resolve();
  private queued?: Promise<void>;

  constructor(
    private readonly store: TokenStore,
    private readonly key: string,
  ) {}

  private load(): Promise<Map<string, CreateRecord>> {
    this.records ??= this.store.readOther(this.key).then(parseRecords);
    return this.records;
  }

  async get(resource: string): Promise<CreateRecord | undefined> {
    return (await this.load()).get(resource);
  }

  /** Sets (or, with undefined, ends) a record; resolves once a write holding it has landed. */
  async set(resource: string, record: CreateRecord | undefined): Promise<void> {
    const records = await this.load();
    if (record) records.set(resource, record);
    else if (!records.delete(resource)) return;
    await this.save(records);
  }

  /**
   * One write at a time; the changes made while one is on its way leave together in the next, so
   * the creates of one batch cost one write, not one each.
   */
  private save(records: Map<string, CreateRecord>): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.writing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        const value = records.size
          ? { version: 1, creates: Object.fromEntries(records) }
          : undefined;
        return this.store.writeOther(this.key, value);
      });
    this.queued = next;
    this.writing = next;
    return next;
  }
}

/** The record of one resource's create. */
export interface ResourceRecord {
  /** What a killed run left of this resource's create, if anything. */
  find(): Promise<CreateRecord | undefined>;
  /** Before the add is sent (or when an object was found and taken): replaces any older record. */
  begin(object: string, id?: number): Promise<void>;
  /** The add answered this id. */
  answered(object: string, id: number): Promise<void>;
  /** The engine holds this resource with this id: a record of that object has done its work. */
  held(id: string): Promise<void>;
}

/** Per portal: the records of the stacks this process creates objects for. */
export class CreateJournal {
  private readonly stacks = new Map<string, StackRecords>();

  constructor(
    private readonly store: () => TokenStore,
    private readonly portal: string,
  ) {}

  /** `resource`: the resource's URN (the dynamic provider builds the same from its name). */
  of(resource: string): ResourceRecord {
    const key = entryKey(this.portal, stackOf(resource));
    let stack = this.stacks.get(key);
    if (!stack) this.stacks.set(key, (stack = new StackRecords(this.store(), key)));
    const records = stack;
    const now = () => new Date().toISOString();
    return {
      find: () => records.get(resource),
      begin: (object, id) => records.set(resource, { object, startedAt: now(), id }),
      answered: async (object, id) => {
        const had = await records.get(resource);
        await records.set(resource, { object, startedAt: had?.startedAt ?? now(), id });
      },
      held: async (id) => {
        const had = await records.get(resource);
        if (had?.id !== undefined && String(had.id) === id) await records.set(resource, undefined);
      },
    };
  }
}
