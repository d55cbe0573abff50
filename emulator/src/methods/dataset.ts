import { JsonObject, JsonValue, isJsonObject, isPhpArray, phpArrayValues } from "../json";
import { describeFields } from "../objects/fieldTable";
import { COLUMN, TABLE_FIELDS, TABLE_NAME } from "../objects/tableFields";
import { ApiError, systemError } from "../apiError";
import { runList } from "../listQuery";
import { Owned, PortalState } from "../state";
import { checkStorageLimits, requireId, validateFields } from "../validation";
import { CallContext, Handler, findOwned, requireApp } from "./context";
import { sourceNotFound } from "./source";

const notFound = () => new ApiError("DATASET_NOT_FOUND", "Dataset was not found.");

/** A list parameter of fields.update, as a JSON list or a PHP array keyed by index. */
const listParam = (v: JsonValue | undefined): JsonValue[] =>
  isPhpArray(v) ? phpArrayValues(v) : [];

/** Validates new columns as the portal does; returns them with ids. */
function newColumns(
  state: PortalState,
  datasetId: number,
  raw: JsonValue | undefined,
  existing: JsonObject[],
  existCodes: boolean,
): JsonObject[] {
  const out: JsonObject[] = [];
  for (const c of isPhpArray(raw) ? phpArrayValues(raw) : []) {
    if (
      !isJsonObject(c) ||
      c.type === undefined ||
      c.name === undefined ||
      c.externalCode === undefined
    )
      throw new ApiError(
        existCodes
          ? "VALIDATION_FIELD_ADD_MISSING_REQUIRED_FIELDS"
          : "VALIDATION_FIELD_MISSING_REQUIRED_PARAMETERS",
        "Field must have type, name and externalCode.",
      );
    const name = String(c.name);
    if (!COLUMN.namePattern.test(name))
      throw new ApiError("VALIDATION_FIELD_NAME_INVALID_FORMAT", `Invalid field name "${name}".`);
    if (name.length > COLUMN.nameMax)
      throw new ApiError("VALIDATION_FIELD_NAME_TOO_LONG", `Field name "${name}" is too long.`);
    if (!(COLUMN.types as readonly string[]).includes(String(c.type)))
      throw new ApiError("VALIDATION_FIELD_INVALID_TYPE", "Invalid field type.");
    const all = [...existing, ...out];
    if (all.some((x) => x.name === name))
      throw existCodes
        ? new ApiError("VALIDATION_DUPLICATE_EXIST_NAME", `Field "${name}" already exists.`)
        : new ApiError("DUPLICATE_FIELDS", `Duplicate field name "${name}".`);
    if (all.some((x) => x.externalCode === c.externalCode))
      throw new ApiError(
        existCodes ? "VALIDATION_DUPLICATE_EXIST_CODE" : "VALIDATION_DUPLICATE_FIELD_CODE",
        `Duplicate field code "${c.externalCode}".`,
      );
    out.push({
      id: state.newId(),
      datasetId,
      type: String(c.type),
      name,
      externalCode: String(c.externalCode),
      visible: true,
      description: "",
    });
  }
  return out;
}

function item(d: Owned): JsonObject {
  const f = d.fields;
  return {
    id: d.id,
    type: "rest",
    name: f.name,
    description: f.description,
    externalCode: f.externalCode,
    externalName: f.externalName,
    dateCreate: f.dateCreate,
    dateUpdate: f.dateUpdate,
    createdById: 1,
    updatedById: f.dateUpdate === null ? 0 : 1,
    externalId: f.externalId,
    csvDelimiter: "",
    csvEncoding: "",
    csvHasHeaders: false,
  };
}

/**
 * biconnector.table.* and the deprecated biconnector.dataset.* (same storage; dataset.add also makes
 * a report dataset; dataset.delete answers HTTP 500 on portals that have table.*).
 */
export function datasetMethods(opts: { tableMethods: boolean }): Record<string, Handler> {
  const add =
    (reportDataset: boolean): Handler =>
    (ctx: CallContext) => {
      const app = requireApp(ctx);
      const fields = validateFields(TABLE_FIELDS, ctx.params.fields, "add");
      findOwned(ctx.state.sources, Number(fields.sourceId), app, sourceNotFound());
      const name = String(fields.name);
      if (!TABLE_NAME.pattern.test(name))
        throw new ApiError("VALIDATION_DATASET_NAME_INVALID", "Invalid dataset name.");
      if (name.length > TABLE_NAME.max)
        throw new ApiError("VALIDATION_DATASET_NAME_TOO_LONG", "Dataset name is too long.");
      if ([...ctx.state.datasets.values()].some((d) => d.fields.name === name))
        throw new ApiError("NAME_EXISTS", `A table named "${name}" already exists.`);
      const columnsIn = isPhpArray(fields.fields) ? phpArrayValues(fields.fields) : [];
      if (columnsIn.length === 0) throw new ApiError("FIELDS_EMPTY", "$fields is empty");
      const id = ctx.state.newId();
      const columns = newColumns(ctx.state, id, columnsIn, [], false);
      checkStorageLimits(TABLE_FIELDS, fields);
      ctx.state.datasets.set(id, {
        id,
        owner: app,
        fields: {
          sourceId: Number(fields.sourceId),
          name,
          description: fields.description ?? "",
          externalCode: fields.externalCode,
          externalName: fields.externalName,
          dateCreate: PortalState.now(),
          dateUpdate: null,
          externalId: reportDataset ? ctx.state.newId() : 0,
          columns,
        },
      });
      return { id };
    };
  const find = (ctx: CallContext): Owned => {
    const app = requireApp(ctx);
    const d = ctx.state.datasets.get(requireId(ctx.params));
    // Ownership goes through the source.
    if (!d || ctx.state.sources.get(Number(d.fields.sourceId))?.owner !== app) throw notFound();
    return d;
  };
  const handlers = (prefix: string, reportDataset: boolean): Record<string, Handler> => ({
    [`${prefix}.add`]: add(reportDataset),
    [`${prefix}.update`]: (ctx) => {
      const raw = ctx.params.fields;
      if (isJsonObject(raw) && raw.fields !== undefined)
        throw new ApiError("INVALID_METHOD", "Use fields.update to change fields.");
      const fields = validateFields(TABLE_FIELDS, raw, "update");
      const d = find(ctx);
      d.fields = {
        ...d.fields,
        description: fields.description ?? d.fields.description,
        dateUpdate: PortalState.now(),
      };
      return true;
    },
    [`${prefix}.get`]: (ctx) => {
      const d = find(ctx);
      return { item: { ...item(d), fields: d.fields.columns } };
    },
    [`${prefix}.list`]: (ctx) => {
      const app = requireApp(ctx);
      const rows = [...ctx.state.datasets.values()]
        .filter((d) => ctx.state.sources.get(Number(d.fields.sourceId))?.owner === app)
        .map((d) => ({ ...item(d), sourceId: d.fields.sourceId }));
      const allowed = TABLE_FIELDS.map((f) => f.name).filter((n) => n !== "fields");
      return runList(rows, ctx.params, allowed);
    },
    [`${prefix}.delete`]: (ctx) => {
      if (prefix === "biconnector.dataset" && opts.tableMethods)
        throw systemError(
          500,
          "INTERNAL_SERVER_ERROR",
          "biconnector.dataset.delete is broken: use biconnector.table.delete",
        );
      const d = find(ctx);
      ctx.state.datasets.delete(d.id);
      return true;
    },
    [`${prefix}.fields`]: () => describeFields(TABLE_FIELDS),
    // Applied in this order: update, add, delete.
    [`${prefix}.fields.update`]: (ctx) => {
      const d = find(ctx);
      const columns = (d.fields.columns as JsonObject[]).map((c) => ({ ...c }));
      for (const u of listParam(ctx.params.update)) {
        if (!isJsonObject(u) || u.id === undefined || u.visible === undefined)
          throw new ApiError(
            "VALIDATION_FIELD_UPDATE_MISSING_REQUIRED_FIELDS",
            "Update needs id and visible.",
          );
        const c = columns.find((x) => x.id === Number(u.id));
        if (c) c.visible = u.visible === true || u.visible === "true" || u.visible === "Y";
      }
      const added = newColumns(ctx.state, d.id, ctx.params.add, columns, true);
      const del = listParam(ctx.params.delete).map((x) => {
        if (!/^\d+$/.test(String(x)))
          throw new ApiError("VALIDATION_FIELD_DELETE_INVALID_ID", `Invalid field id "${x}".`);
        return Number(x);
      });
      d.fields = {
        ...d.fields,
        columns: [...columns, ...added].filter((c) => !del.includes(Number(c.id))),
        dateUpdate: PortalState.now(),
      };
      return true;
    },
  });
  return {
    ...handlers("biconnector.dataset", true),
    ...(opts.tableMethods ? handlers("biconnector.table", false) : {}),
  };
}
