import { Bitrix24Client } from "../client/client";
import { Bitrix24AnswerError, Bitrix24TransportError } from "../errors/errors";
import { ResourceRecord } from "../client/journal/createJournal";
import { Operation } from "../client/operation/operation";
import { diffFields } from "../schema/diff";
import { fromApiItem } from "../schema/mapping";
import { JsonObject, isJsonObject } from "../schema/spec";
import { parseId } from "./ids";
import { ObjectAdapter, ObjectMethods } from "./objectAdapter";

/*
 * The add that is never sent twice: one attempt and the page read back with it, the look for what
 * an add whose answer was lost made, and what a killed run left (the record of its create).
 */

/**
 * One attempt of an add, and its id. When lists carry everything, the new object comes back on
 * a list page read in the same batch: an id that page shows absent was not made by this add
 * (the portal answered an id it does not have) — ambiguous like a lost answer, so the caller
 * looks for the object the add did make. (An add that went alone is read back after, and an id
 * that cannot be read then fails the create.) `recorded`: the add is not sent before it resolves.
 */
export async function addAndReadBack(
  adapter: ObjectAdapter,
  op: Operation,
  m: ObjectMethods,
  fields: JsonObject,
  recorded?: Promise<void>,
): Promise<{ id: number; listed: JsonObject | undefined }> {
  const readBack = adapter.listHasAll
    ? { list: m.list, query: { newest: true as const } }
    : undefined;
  const r = await op.callCoalesced(m.add, { fields }, readBack, recorded);
  let id: number;
  try {
    id = parseId(isJsonObject(r) ? r.id : undefined, m.add);
  } catch (e) {
    // Applied, probably, but its id is unreadable: ambiguous like a lost answer.
    if (e instanceof Bitrix24AnswerError) throw new Bitrix24TransportError(m.add, e.problem, 200);
    throw e;
  }
  // Only the page that came back with the add (no request here: a read that fails belongs to
  // the steps after the add, which remove the object again when they fail).
  const listed = adapter.listHasAll ? op.readBack(m.list, id) : undefined;
  if (listed === null)
    throw new Bitrix24TransportError(
      m.add,
      `answered id ${id}, which the portal's list read back with it does not hold`,
      200,
    );
  return { id, listed: listed ?? undefined };
}

/**
 * Starts writing the record of a create (`recorded`: the add waits for it in the batcher's window,
 * and is never sent without it). `unrecorded` resolves true when that write failed: then no add
 * left, and there is nothing to look for.
 */
export function beginRecord(
  record: ResourceRecord | undefined,
  object: string,
): { recorded?: Promise<void>; unrecorded: Promise<boolean> } {
  const recorded = record?.begin(object);
  const unrecorded = recorded
    ? recorded.then(
        () => false,
        () => true,
      )
    : Promise.resolve(false);
  return { recorded, unrecorded };
}

/** After a lost `add` answer: the newest unclaimed object with exactly these fields, if any. */
export async function findCommitted(
  adapter: ObjectAdapter,
  client: Bitrix24Client,
  op: Operation,
  m: ObjectMethods,
  inputs: JsonObject,
): Promise<number | undefined> {
  const items = await op.listAll(m.list, {
    filter: adapter.reconcileFilter(inputs),
    order: { id: "DESC" },
  });
  // "Absent" may only be concluded from pages read whole: an item whose id cannot be read may
  // be the object the add made, so such a page fails the look (and nothing is added again).
  const listed = items.map((raw) => {
    const item = adapter.itemFromList?.(raw) ?? raw;
    return { item, id: parseId(item.id, m.list) };
  });
  for (const { item, id } of listed) {
    if (client.claims.isClaimed(adapter.schema.object, id)) continue;
    // List items may lack fields `get` has (e.g. dataset columns): compare what they carry.
    const found = fromApiItem(adapter.schema, item, m.list);
    const comparable = Object.fromEntries(Object.entries(inputs).filter(([k]) => k in item));
    if (diffFields(adapter.schema, { ...comparable, ...found }, comparable).changed.length === 0) {
      // Claimed at once: another create reconciling at the same moment must not take it too.
      client.claims.claim(adapter.schema.object, id);
      return id;
    }
  }
  return undefined;
}

/**
 * The object a killed run's create of this resource made, taken over (`takeOver`: read, checked,
 * brought to the declared state), or undefined when there is none to take and an add must go.
 * The record names the object once its add answered; before that (killed between sending the add
 * and reading its answer), the object is looked for as after a lost answer.
 */
export async function resumeCreate<T>(
  record: ResourceRecord,
  adapter: ObjectAdapter,
  client: Bitrix24Client,
  op: Operation,
  m: ObjectMethods,
  inputs: JsonObject,
  takeOver: (id: number) => Promise<T | string>,
): Promise<T | undefined> {
  const left = await record.find();
  if (!left) return undefined;
  const object = adapter.schema.object;
  let id = left.id;
  if (id !== undefined && client.claims.isClaimed(object, id)) return undefined;
  id ??= await findCommitted(adapter, client, op, m, inputs);
  if (id === undefined) return undefined;
  // Gone since, or no longer this resource's (another parent, immutable fields changed): an add.
  const taken = await takeOver(id);
  if (typeof taken === "string") return undefined;
  await record.answered(object, id).catch(() => undefined); // as after an add (objectProvider)
  return taken;
}
