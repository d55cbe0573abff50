import { Bitrix24Client } from "../client/client";
import { Bitrix24Error } from "../errors/errors";
import { Operation } from "../client/operation/operation";
import { CheckSettingsSource, ClientSource } from "./clientSource";
import { datasetSchema } from "../schema/dataset";
import { JsonObject, isJsonObject } from "../schema/spec";
import type { FieldNamed, ItemsOf, StoredItem } from "../schema/types";
import { ObjectProvider } from "./objectProvider";
import { ObjectAdapter, ObjectMethods } from "./objectAdapter";

const IMMUTABLE = ["sourceId", "name", "externalCode", "externalName"] as const;

function methodSet(prefix: string): ObjectMethods {
  return {
    add: `${prefix}.add`,
    get: `${prefix}.get`,
    list: `${prefix}.list`,
    update: `${prefix}.update`,
    delete: `${prefix}.delete`,
  };
}

/** Which method family each client's portal has: remembered per client by each provider. */
type MethodCache = WeakMap<Bitrix24Client, Promise<ObjectMethods>>;

/**
 * Newer portals have biconnector.table.*; older ones only biconnector.dataset.* (docs/bitrix24-api.md#ambiguity-tables). Asked once
 * per client with the cheap `fields` method; dataset.delete is never used where table.* exists.
 */
function datasetMethods(
  methodsByClient: MethodCache,
  op: Operation,
  client: Bitrix24Client,
): Promise<ObjectMethods> {
  let m = methodsByClient.get(client);
  if (!m) {
    m = op.call("biconnector.table.fields").then(
      () => methodSet("biconnector.table"),
      (e: unknown) => {
        if (e instanceof Bitrix24Error && e.code === "ERROR_METHOD_NOT_FOUND")
          return methodSet("biconnector.dataset");
        methodsByClient.delete(client); // could not tell now: ask again next time
        return methodSet("biconnector.table");
      },
    );
    methodsByClient.set(client, m);
  }
  return m;
}

const fieldsUpdate = (m: ObjectMethods) => m.update.replace(/\.update$/, ".fields.update");

/** A column of inputs (no id yet) or outputs (with its id); check has filled `visible` in. */
/** A column as the portal stores it (the schema's `fields` items), its id unknown until added. */
type StoredColumn = StoredItem<ItemsOf<FieldNamed<typeof datasetSchema.fields, "fields">>>;
type Column = Omit<StoredColumn, "id"> & { id?: number };
const columns = (v: unknown): Column[] =>
  Array.isArray(v) ? v.filter(isJsonObject).map((c) => c as unknown as Column) : [];

/**
 * Column changes through fields.update. It applies update → add → delete in one call, so a column
 * whose type or code changes (delete + add under the same name) needs its delete sent first.
 */
async function updateColumns(
  op: Operation,
  m: ObjectMethods,
  id: number,
  olds: JsonObject,
  inputs: JsonObject,
): Promise<void> {
  const before = columns(olds.fields);
  const after = columns(inputs.fields);
  const byName = new Map(before.map((c) => [c.name, c]));
  const wanted = new Set(after.map((c) => c.name));
  const del = before.filter((c) => !wanted.has(c.name)).map((c) => Number(c.id));
  const add: JsonObject[] = [];
  const visibility: JsonObject[] = [];
  for (const c of after) {
    const old = byName.get(c.name);
    if (old && (old.type !== c.type || old.externalCode !== c.externalCode)) {
      del.push(Number(old.id));
      add.push({ type: c.type, name: c.name, externalCode: c.externalCode });
    } else if (!old) add.push({ type: c.type, name: c.name, externalCode: c.externalCode });
    else if (old.visible !== (c.visible ?? true))
      visibility.push({ id: Number(old.id), visible: c.visible ?? true });
  }
  const recreated = add.some((a) => byName.has(String(a.name)));
  const method = fieldsUpdate(m);
  if (recreated) {
    await op.callCoalesced(method, { id, update: visibility, delete: del });
    await op.callCoalesced(method, { id, add });
  } else if (add.length || del.length || visibility.length) {
    await op.callCoalesced(method, { id, update: visibility, add, delete: del });
  }
  // New columns are always created visible and `add` takes no `visible`: hide the declared-hidden
  // ones in this same update (their ids are known only now), so the next preview shows no diff.
  const hide = after
    .filter((c) => c.visible === false && add.some((a) => a.name === c.name))
    .map((c) => c.name);
  if (hide.length) await hideColumns(op, m, id, hide);
}

/** Hides these columns (by name) of a stored dataset, reading their ids first. */
async function hideColumns(
  op: Operation,
  m: ObjectMethods,
  id: number,
  names: string[],
): Promise<void> {
  const r = await op.call(m.get, { id });
  const stored = columns(isJsonObject(r) && isJsonObject(r.item) ? r.item.fields : undefined);
  const update = stored
    .filter((c) => names.includes(c.name))
    .map((c) => ({ id: Number(c.id), visible: false }));
  if (update.length) await op.call(fieldsUpdate(m), { id, update });
}

/** The dataset adapter, with its own memory of each portal's method family. */
export function datasetAdapter(
  methodsByClient: MethodCache = new WeakMap(),
): ObjectAdapter<typeof datasetSchema> {
  return {
    schema: datasetSchema,
    label: "Dataset",
    notFound: "DATASET_NOT_FOUND",
    refetchAfterUpdate: true,
    methods: (op, client) => datasetMethods(methodsByClient, op, client),
    // get has the columns but not sourceId (only list has it: docs/bitrix24-api.md#table-methods); sourceId never changes.
    itemFromGet: async (r, old, op, m) => {
      const item = isJsonObject(r) && isJsonObject(r.item) ? r.item : undefined;
      if (!item) return undefined;
      let sourceId = old?.sourceId;
      if (sourceId === undefined) {
        const [row] = await op.listAll(m.list, {
          filter: { id: item.id ?? 0 },
          select: ["id", "sourceId"],
        });
        sourceId = row?.sourceId;
      }
      return { ...item, sourceId: sourceId ?? null };
    },
    // add takes {type, name, externalCode} only: hidden columns are hidden right after.
    async afterCreate(op, m, id, inputs, outs) {
      const hidden = columns(inputs.fields)
        .filter((c) => c.visible === false)
        .map((c) => c.name);
      if (!hidden.length) return false;
      const update = columns(outs.fields)
        .filter((c) => hidden.includes(c.name))
        .map((c) => ({ id: Number(c.id), visible: false }));
      await op.callCoalesced(fieldsUpdate(m), { id, update });
      return true;
    },
    update: async (op, m, id, inputs, olds, changed) => {
      if (changed.includes("description"))
        await op.callCoalesced(m.update, { id, fields: { description: inputs.description ?? "" } });
      if (changed.includes("fields")) await updateColumns(op, m, id, olds, inputs);
    },
    addFields: (inputs) => ({
      sourceId: inputs.sourceId ?? null,
      name: inputs.name ?? null,
      externalCode: inputs.externalCode ?? null,
      externalName: inputs.externalName ?? null,
      description: inputs.description ?? "",
      fields: columns(inputs.fields).map((c) => ({
        type: c.type,
        name: c.name,
        externalCode: c.externalCode,
      })),
    }),
    reconcileFilter: (inputs) => ({ name: inputs.name ?? "" }),
    adoptionConflict: (existing, inputs) => {
      const differ = IMMUTABLE.filter((k) => String(existing[k]) !== String(inputs[k]));
      return differ.length
        ? `${differ.map((k) => `${k} is ${JSON.stringify(existing[k])}, declared ${JSON.stringify(inputs[k])}`).join("; ")} — these cannot change in place`
        : undefined;
    },
    explain: (e, op) => {
      if (op === "create" && e.code === "NAME_EXISTS")
        return "Dataset names are unique on the whole portal: pick another name, or take the existing table over with adoptId.";
      if (e.code === "DATASET_UPDATE_ERROR")
        return "The portal saved the column change but could not sync the report dataset; run `pulumi refresh` to see the stored columns.";
      return undefined;
    },
  };
}

/** The Dataset's lifecycle against biconnector.table.* (or dataset.* on older portals). */
export class DatasetProvider extends ObjectProvider<typeof datasetSchema> {
  constructor(client?: ClientSource, checkSettings?: CheckSettingsSource) {
    super(datasetAdapter(), client, checkSettings);
  }
}
