import { Bitrix24Client } from "../client/client";
import { Operation } from "../client/operation/operation";
import { diffFields } from "../schema/diff";
import { fromApiItem } from "../schema/mapping";
import { JsonObject } from "../schema/spec";
import { parseId } from "./ids";
import { ObjectAdapter, ObjectMethods } from "./objectAdapter";

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
