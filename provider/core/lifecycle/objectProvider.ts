import type * as pulumi from "@pulumi/pulumi";
import { Bitrix24Client } from "../client/client";
import { Bitrix24AnswerError, Bitrix24Error, Bitrix24ProviderError } from "../errors/errors";
import { ReadBack } from "../client/batching/batchCommands";
import { Operation } from "../client/operation/operation";
import { ABSENT } from "../client/batching/pageCache";
import { diffFields } from "../schema/diff";
import { fromApiItem, inputsFromOutputs, toAddFields, toUpdateFields } from "../schema/mapping";
import { JsonObject, ResourceSchema, isJsonObject } from "../schema/spec";
import { ItemValues } from "../schema/types";
import { isUnknown } from "../schema/unknown";
import { normalizeInputs, validateInputs } from "../schema/validate";
import { parseId } from "./ids";
import { finishOrRemove } from "./allOrNothing";
import { ObjectAdapter, ObjectMethods } from "./objectAdapter";
import { addAndReadBack, beginRecord, findCommitted, resumeCreate } from "./addOnce";
import { registerSecretValues } from "../schema/secretValues";
import { CheckSettingsSource, ClientSource, checkSettingsOf, envClient } from "./clientSource";

/**
 * The Pulumi lifecycle of one biconnector object kind, driven by its schema. Holds no credential:
 * it is handed a source of its client (the runtime builds it from the settings given to configure();
 * without one, the environment's settings), asked at call time. Each Pulumi call is one client
 * operation: all its requests and retries share one deadline.
 */
export class ObjectProvider<S extends ResourceSchema = ResourceSchema>
  implements pulumi.dynamic.ResourceProvider
{
  constructor(
    protected readonly adapter: ObjectAdapter<S>,
    protected readonly client: ClientSource = envClient,
    /** Default: the client's settings, else (no credentials yet) the environment's. */
    private readonly checkSettings: CheckSettingsSource = checkSettingsOf(client),
  ) {}

  private get schema(): S {
    return this.adapter.schema;
  }

  async check(_olds: unknown, inputs: unknown): Promise<pulumi.dynamic.CheckResult> {
    registerSecretValues(this.schema, inputs);
    const failures = validateInputs(this.schema, inputs, this.checkSettings());
    if (failures.length || !isJsonObject(inputs)) return { inputs, failures };
    const normalized = normalizeInputs(this.schema, inputs);
    const remote = (await this.adapter.checkAgainstPortal?.(normalized, this.client)) ?? [];
    if (remote.length) return { inputs, failures: remote };
    return { inputs: normalized };
  }

  /** `resource`: its URN, when the host knows it (the record of its create then ends). */
  async diff(
    id: string,
    olds: JsonObject,
    news: JsonObject,
    resource?: string,
  ): Promise<pulumi.dynamic.DiffResult> {
    await this.held(resource, id);
    const d = diffFields(this.schema, olds, news);
    return {
      changes: d.changed.length > 0,
      replaces: d.replaces,
      deleteBeforeReplace: d.deleteBeforeReplace,
    };
  }

  /**
   * `resource`: the resource's URN, when the host knows it. Its create is then recorded before
   * the add goes (client/journal/), and a record a killed run left gives back the object it made.
   */
  async create(news: JsonObject, resource?: string): Promise<pulumi.dynamic.CreateResult> {
    registerSecretValues(this.schema, news);
    const client = this.client();
    const op = client.operation();
    const m = await this.adapter.methods(op, client);
    const inputs = normalizeInputs(this.schema, news);
    if (inputs.adoptId !== undefined && !isUnknown(inputs.adoptId))
      return this.adopt(client, op, m, inputs);
    const record = resource === undefined ? undefined : client.journal?.of(resource);
    if (record) {
      const resumed = await resumeCreate(record, this.adapter, client, op, m, inputs, (id) =>
        this.takeOver(client, op, m, inputs, String(id)),
      );
      if (resumed) return resumed;
    }
    const { recorded, unrecorded } = beginRecord(record, this.schema.object);
    const fields = this.adapter.addFields?.(inputs) ?? toAddFields(this.schema, inputs);
    const added = await this.explained("create", undefined, () =>
      op.addOnce(
        m.add,
        () => addAndReadBack(this.adapter, op, m, fields, recorded),
        async () => {
          if (await unrecorded) return undefined; // no add left: nothing to look for
          const found = await findCommitted(this.adapter, client, op, m, inputs);
          return found === undefined ? undefined : { id: found, listed: undefined };
        },
      ),
    );
    const id = added.id;
    client.claims.claim(this.schema.object, id);
    // Its failure does not fail the create: the object exists now, and a record left without
    // its id still makes the next run look for it.
    await record?.answered(this.schema.object, id).catch(() => undefined);
    // All or nothing: if reading it back or finishing it (hidden columns) fails, it is removed
    // again, so the next `up` starts clean instead of meeting NAME_EXISTS or an orphan.
    let read: JsonObject | undefined;
    const outs = await finishOrRemove(
      {
        what: `${this.adapter.label} ${id}`,
        id: String(id),
        remove: () => this.remove(client, m, id),
        partial: () => read && { ...read, ...this.providerOnly(inputs) },
      },
      async () => {
        // What the program declared stands in for what `get` does not return (dataset sourceId).
        read = added.listed
          ? this.fromListed(added.listed, m)
          : await this.fetch(op, m, String(id), inputs);
        // An id the portal does not have is no created object (a portal that answers ids it did
        // not make): the create fails instead of putting it in state.
        if (!read)
          throw new Bitrix24AnswerError(
            m.add,
            `answered id ${id}, but the portal has no ${this.adapter.label.toLowerCase()} ${id}`,
          );
        if (await this.adapter.afterCreate?.(op, m, id, inputs, read))
          read = await this.fetch(op, m, String(id), inputs);
        return read;
      },
    );
    return { id: String(id), outs: { ...(outs ?? inputs), ...this.providerOnly(inputs) } };
  }

  /** A list item as the object's outputs (in the shape `get` gives, see itemFromList). */
  private fromListed(listed: JsonObject, m: ObjectMethods) {
    return fromApiItem(this.schema, this.adapter.itemFromList?.(listed) ?? listed, m.list);
  }

  /**
   * Deletes an object this create just added, in an operation of its own: the create's deadline may
   * be what ran out.
   */
  private async remove(client: Bitrix24Client, m: ObjectMethods, id: number): Promise<void> {
    try {
      await client.operation().call(m.delete, { id });
    } catch (e) {
      if (e instanceof Bitrix24Error && e.code === this.adapter.notFound) return;
      throw e;
    }
  }

  /** Takes over an existing object by `adoptId`; an error says why it cannot. */
  private async adopt(
    client: Bitrix24Client,
    op: Operation,
    m: ObjectMethods,
    inputs: JsonObject,
  ): Promise<pulumi.dynamic.CreateResult> {
    const id = String(parseId(inputs.adoptId, `${this.adapter.label} adoptId`));
    const taken = await this.takeOver(client, op, m, inputs, id);
    if (typeof taken === "string")
      throw new Bitrix24ProviderError(
        `Cannot adopt ${this.adapter.label.toLowerCase()} ${id}: ${taken}`,
      );
    return taken;
  }

  /** Reads an object, updates it to the declared state, keeps its id; or says why it cannot. */
  private async takeOver(
    client: Bitrix24Client,
    op: Operation,
    m: ObjectMethods,
    inputs: JsonObject,
    id: string,
  ): Promise<pulumi.dynamic.CreateResult | string> {
    const existing = await this.fetch(op, m, id);
    if (!existing)
      return `${this.adapter.notFound} (it does not exist, or belongs to another application).`;
    const conflict = this.adapter.adoptionConflict?.(existing, inputs);
    if (conflict) return conflict;
    client.claims.claim(this.schema.object, id);
    const { outs } = await this.update(id, existing, inputs);
    return { id, outs };
  }

  /** The engine holds `resource` with this id: the record of its create has done its work. */
  private async held(resource: string | undefined, id: string): Promise<void> {
    if (resource === undefined) return;
    try {
      await this.client().journal?.of(resource).held(id);
    } catch {
      // Only a clean-up (no credentials at a preview, a store down): a later call does it.
    }
  }

  async read(id: string, props?: JsonObject): Promise<pulumi.dynamic.ReadResult> {
    registerSecretValues(this.schema, props);
    const client = this.client();
    const op = client.operation();
    // A refresh reads many objects: their neighbours are read ahead for the reads to come.
    const outs = await this.fetch(op, await this.adapter.methods(op, client), id, props, true);
    if (!outs) return {}; // deleted out of band: refresh drops it from state
    const kept = { ...outs, ...this.providerOnly(props ?? {}) };
    return { id, props: kept, inputs: inputsFromOutputs(this.schema, kept) };
  }

  async update(
    id: string,
    olds: JsonObject,
    news: JsonObject,
  ): Promise<pulumi.dynamic.UpdateResult> {
    registerSecretValues(this.schema, news);
    const client = this.client();
    const op = client.operation();
    const m = await this.adapter.methods(op, client);
    const inputs = normalizeInputs(this.schema, news);
    const { changed } = diffFields(this.schema, olds, inputs);
    const numericId = parseId(id, m.update);
    await this.explained("update", id, async () => {
      if (!changed.length) return;
      if (this.adapter.update) await this.adapter.update(op, m, numericId, inputs, olds, changed);
      else
        await op.callCoalesced(
          m.update,
          { id: numericId, fields: toUpdateFields(this.schema, inputs, changed) },
          this.readBackAfterUpdate(m, numericId),
        );
    });
    // `update` answers `true` only: the stored values are what was sent, unless the server also
    // moves fields of its own (dates, column ids) — then the object is read back once.
    const outs =
      changed.length && this.adapter.refetchAfterUpdate
        ? await this.fetch(op, m, id, olds)
        : undefined;
    return { outs: { ...(outs ?? { ...olds, ...inputs }), ...this.providerOnly(inputs) } };
  }

  async delete(id: string, _props: JsonObject, resource?: string): Promise<void> {
    const client = this.client();
    const op = client.operation();
    const m = await this.adapter.methods(op, client);
    await this.explained("delete", id, async () => {
      try {
        await op.callCoalesced(m.delete, { id: parseId(id, m.delete) });
      } catch (e) {
        if (e instanceof Bitrix24Error && e.code === this.adapter.notFound) return; // already gone
        throw e;
      }
    });
    await this.held(resource, id);
  }

  /** The page to read back with an update whose object is read again after it, if lists have all. */
  protected readBackAfterUpdate(m: ObjectMethods, id: number): ReadBack | undefined {
    return this.adapter.refetchAfterUpdate && this.adapter.listHasAll
      ? { list: m.list, query: { ids: [id] } }
      : undefined;
  }

  /** Runs an operation; a Bitrix24 error gets the words that say what to do about it. */
  private async explained<T>(
    op: "create" | "update" | "delete",
    id: string | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof Bitrix24Error)) throw e;
      const why =
        op === "update" && e.code === this.adapter.notFound
          ? `${this.adapter.label} ${id} was deleted outside Pulumi: run \`pulumi refresh\`, then \`pulumi up\` re-creates it.`
          : this.adapter.explain?.(e, op, id);
      if (why) throw new Bitrix24ProviderError(`${e.message}. ${why}`, { cause: e });
      throw e;
    }
  }

  /** Provider-only inputs (adoptId) carried in outputs so that diff sees them. */
  private providerOnly(from: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const f of this.schema.fields)
      if (f.providerOnly && from[f.name] !== undefined) out[f.name] = from[f.name];
    return out;
  }

  /** The object as the portal has it, or undefined when it no longer exists. */
  protected async fetch(
    op: Operation,
    m: ObjectMethods,
    id: string,
    old?: JsonObject,
    readAhead = false,
  ): Promise<(ItemValues<S["fields"]> & JsonObject) | undefined> {
    const numericId = parseId(id, m.get);
    if (this.adapter.listHasAll) {
      const listed = await op.readThroughPages(m.list, numericId);
      if (listed === null) return undefined;
      if (listed) return this.fromListed(listed, m);
    }
    const notFound = (e: unknown) => e instanceof Bitrix24Error && e.code === this.adapter.notFound;
    try {
      const r =
        readAhead && !this.adapter.listHasAll
          ? await op.getAhead(m.list, m.get, numericId, notFound)
          : await op.callCoalesced(m.get, { id: numericId });
      if (r === ABSENT) return undefined; // its not-found error: deleted
      const item = this.adapter.itemFromGet
        ? await this.adapter.itemFromGet(r, old, op, m)
        : isJsonObject(r)
          ? r.item
          : undefined;
      return fromApiItem(this.schema, item, m.get);
    } catch (e) {
      if (e instanceof Bitrix24Error && e.code === this.adapter.notFound) return undefined;
      throw e;
    }
  }

  /**
   * One object as plain data (with its id), or undefined when it does not exist. `known`: what a
   * list already said of it (a dataset's sourceId, which `get` does not return), saving a request.
   */
  async lookup(
    client: Bitrix24Client,
    id: number | string,
    known?: JsonObject,
  ): Promise<({ id: number } & ItemValues<S["fields"]>) | undefined> {
    const op = client.operation();
    const outs = await this.fetch(op, await this.adapter.methods(op, client), String(id), known);
    return outs ? { id: Number(id), ...outs } : undefined;
  }

  /** Every object of this application matching a biconnector list filter, as plain data. */
  async lookupAll(
    client: Bitrix24Client,
    filter: JsonObject = {},
  ): Promise<({ id: number } & ItemValues<S["fields"]>)[]> {
    const op = client.operation();
    const m = await this.adapter.methods(op, client);
    // By id, not page number: an object deleted meanwhile cannot make a page skip another.
    const items = await op.listAllById(m.list, { filter });
    return items.map((raw) => {
      const item = this.adapter.itemFromList?.(raw) ?? raw;
      const values = fromApiItem(this.schema, item, m.list); // checks the id too
      return { id: parseId(item.id, m.list), ...values };
    });
  }
}
