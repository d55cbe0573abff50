import { JsonObject, JsonValue, isJsonObject, isPhpArray, phpArrayValues } from "../json";
import { describeFields } from "../objects/fieldTable";
import { SOURCE_FIELDS } from "../objects/sourceFields";
import { ApiError } from "../apiError";
import { runList } from "../listQuery";
import { Owned, PortalState } from "../state";
import { requireId, validateFields } from "../validation";
import { CallContext, Handler, findOwned, requireApp } from "./context";
import { connectorNotFound } from "./connector";

export const sourceNotFound = () => new ApiError("SOURCE_NOT_FOUND", "Source was not found.");

/** Settings values as a PHP array keyed by code (a JSON list is keyed "0", "1", …). */
const keyed = (v: JsonValue | undefined): JsonObject =>
  isPhpArray(v) ? (Object.assign({}, v) as JsonObject) : {};

type Declared = { code: string; name: string; type: string };

function declaredSettings(connector: Owned): Declared[] {
  const raw = connector.fields.settings;
  return (isPhpArray(raw) ? phpArrayValues(raw) : []).filter(isJsonObject) as Declared[];
}

/** Keeps only values for codes the connector declares (others are dropped silently). */
function keepDeclared(values: JsonObject, connector: Owned): JsonObject {
  const out: JsonObject = {};
  for (const s of declaredSettings(connector))
    if (values[s.code] !== undefined) out[s.code] = String(values[s.code]);
  return out;
}

/** Bitrix24 calls the connector's urlCheck with the settings; only HTTP 200 with a body passes. */
async function checkConnection(
  ctx: CallContext,
  connector: Owned,
  settings: JsonObject,
  code: string,
  text: string,
): Promise<void> {
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) form[`connection[${k}]`] = String(v);
  try {
    const res = await ctx.callEndpoint(String(connector.fields.urlCheck), form);
    if (res.status === 200 && res.body.trim() !== "") return;
  } catch {
    // unreachable endpoint: same answer
  }
  throw new ApiError(code, text);
}

/** Settings as get/list return them: [{id, code, name, type, value}], values in plain text. */
function settingsOut(source: Owned, connector: Owned | undefined): JsonObject[] {
  const values = isJsonObject(source.fields.settings) ? source.fields.settings : {};
  const declared = connector ? declaredSettings(connector) : [];
  return declared
    .filter((d) => values[d.code] !== undefined)
    .map((d, i) => ({
      id: source.id * 100 + i,
      code: d.code,
      name: d.name,
      type: d.type,
      value: values[d.code],
    }));
}

function connection(s: Owned): JsonObject {
  const f = s.fields;
  return {
    id: s.id,
    type: "rest",
    code: `rest_${f.connectorId}`,
    title: f.title,
    description: f.description,
    active: true,
    dateCreate: f.dateCreate,
    dateUpdate: f.dateUpdate,
    createdById: 1,
    updatedById: f.dateUpdate === null ? 0 : 1,
  };
}

export function sourceMethods(): Record<string, Handler> {
  return {
    "biconnector.source.add": async (ctx) => {
      const app = requireApp(ctx);
      const fields = validateFields(SOURCE_FIELDS, ctx.params.fields, "add");
      const connector = findOwned(
        ctx.state.connectors,
        Number(fields.connectorId),
        app,
        connectorNotFound(),
      );
      const settings = keepDeclared(keyed(fields.settings), connector);
      await checkConnection(
        ctx,
        connector,
        settings,
        "SOURCE_CREATE_CONNECTION_ERROR",
        "Cannot create connection.",
      );
      const id = ctx.state.newId();
      ctx.state.sources.set(id, {
        id,
        owner: app,
        fields: {
          title: fields.title,
          description: fields.description ?? "",
          connectorId: connector.id,
          settings,
          dateCreate: PortalState.now(),
          dateUpdate: null,
        },
      });
      return { id };
    },
    "biconnector.source.update": async (ctx) => {
      const app = requireApp(ctx);
      const id = requireId(ctx.params);
      const fields = validateFields(SOURCE_FIELDS, ctx.params.fields, "update");
      if (fields.title === undefined) throw new ApiError("", "All the fields are required.");
      const source = findOwned(ctx.state.sources, id, app, sourceNotFound());
      const connector = findOwned(
        ctx.state.connectors,
        Number(source.fields.connectorId),
        app,
        connectorNotFound(),
      );
      const current = isJsonObject(source.fields.settings) ? source.fields.settings : {};
      const merged = {
        ...current,
        ...keepDeclared(keyed(fields.settings), connector),
      };
      // Every update checks the connection, even without new settings.
      await checkConnection(
        ctx,
        connector,
        merged,
        "SOURCE_UPDATE_CONNECTION_ERROR",
        "Cannot update connection.",
      );
      source.fields = {
        ...source.fields,
        title: fields.title,
        ...(fields.description !== undefined ? { description: fields.description } : {}),
        settings: merged,
        dateUpdate: PortalState.now(),
      };
      return true;
    },
    "biconnector.source.get": (ctx) => {
      const app = requireApp(ctx);
      const source = findOwned(ctx.state.sources, requireId(ctx.params), app, sourceNotFound());
      const connector = ctx.state.connectors.get(Number(source.fields.connectorId));
      if (!connector) throw connectorNotFound();
      return {
        item: {
          connection: connection(source),
          connectorId: connector.id,
          settings: settingsOut(source, connector),
        },
      };
    },
    "biconnector.source.list": (ctx) => {
      const app = requireApp(ctx);
      const rows = [...ctx.state.sources.values()]
        .filter((s) => s.owner === app)
        .map((s) => ({
          ...connection(s),
          connectorId: Number(s.fields.connectorId),
          settings: settingsOut(s, ctx.state.connectors.get(Number(s.fields.connectorId))),
        }));
      return runList(
        rows,
        ctx.params,
        SOURCE_FIELDS.map((f) => f.name),
      );
    },
    "biconnector.source.delete": (ctx) => {
      const app = requireApp(ctx);
      const id = requireId(ctx.params);
      findOwned(ctx.state.sources, id, app, sourceNotFound());
      if ([...ctx.state.datasets.values()].some((d) => Number(d.fields.sourceId) === id))
        throw new ApiError(
          "BX_ERROR",
          "Cannot delete connection. Delete all associated tables first.",
        );
      ctx.state.sources.delete(id);
      return true;
    },
    "biconnector.source.fields": () => describeFields(SOURCE_FIELDS),
  };
}
