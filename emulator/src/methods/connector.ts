import { JsonObject, isJsonObject, isPhpArray, phpArrayValues } from "../json";
import { CONNECTOR_FIELDS, SETTING_LIMITS } from "../objects/connectorFields";
import { describeFields } from "../objects/fieldTable";
import { ApiError } from "../apiError";
import { runList } from "../listQuery";
import { PortalState } from "../state";
import { checkStorageLimits, requireId, validateFields } from "../validation";
import { CallContext, Handler, findOwned, requireApp } from "./context";

export const connectorNotFound = () =>
  new ApiError("CONNECTOR_NOT_FOUND", "Connector was not found.");

/** The connector-specific settings checks, with the portal's codes and texts. */
function validateSettings(settings: unknown): JsonObject[] | undefined {
  if (!isPhpArray(settings)) return undefined;
  const out: JsonObject[] = [];
  for (const s of phpArrayValues(settings)) {
    if (!isJsonObject(s) || s.type === undefined || s.name === undefined || s.code === undefined)
      throw new ApiError(
        "VALIDATION_SETTINGS_MISSING_REQUIRED_FIELDS",
        'Settings must include "type", "name" and "code" fields.',
      );
    if (String(s.name).length > SETTING_LIMITS.nameMax)
      throw new ApiError(
        "VALIDATION_SETTINGS_NAME_TOO_LONG",
        'Parameter "name" must be less than 512 characters.',
      );
    if (String(s.code).length > SETTING_LIMITS.codeMax)
      throw new ApiError(
        "VALIDATION_SETTINGS_CODE_TOO_LONG",
        'Parameter "code" must be less than 512 characters.',
      );
    if (!(SETTING_LIMITS.types as readonly string[]).includes(String(s.type)))
      throw new ApiError("VALIDATION_SETTINGS_INVALID_TYPE", 'Parameter "type" is not correct.');
    out.push({ name: String(s.name), code: String(s.code), type: String(s.type) });
  }
  return out;
}

/** `get` shape: id as a number, every field including supportMapping/sourceCode. */
function item(id: number, fields: JsonObject): JsonObject {
  return {
    id,
    title: fields.title,
    dateCreate: fields.dateCreate,
    logo: fields.logo,
    description: fields.description,
    sort: fields.sort,
    urlCheck: fields.urlCheck,
    settings: fields.settings,
    urlData: fields.urlData,
    urlTableList: fields.urlTableList,
    urlTableDescription: fields.urlTableDescription,
    supportMapping: fields.supportMapping,
    sourceCode: fields.sourceCode,
  };
}

/** Validated, typed values as the portal stores them. */
function storable(fields: JsonObject): JsonObject {
  const settings = validateSettings(fields.settings);
  checkStorageLimits(CONNECTOR_FIELDS, fields);
  const out: JsonObject = { ...fields };
  if (out.sort !== undefined) out.sort = Number(out.sort);
  if (settings) out.settings = settings;
  return out;
}

export const connectorMethods: Record<string, Handler> = {
  "biconnector.connector.add": (ctx: CallContext) => {
    const app = requireApp(ctx);
    const fields = storable(validateFields(CONNECTOR_FIELDS, ctx.params.fields, "add"));
    const id = ctx.state.newId();
    const defaults: JsonObject = {};
    for (const f of CONNECTOR_FIELDS) if (f.default !== undefined) defaults[f.name] = f.default;
    ctx.state.connectors.set(id, {
      id,
      owner: app,
      fields: { ...defaults, ...fields, dateCreate: PortalState.now() },
    });
    return { id };
  },
  "biconnector.connector.update": (ctx) => {
    const app = requireApp(ctx);
    const id = requireId(ctx.params);
    const fields = validateFields(CONNECTOR_FIELDS, ctx.params.fields, "update");
    const c = findOwned(ctx.state.connectors, id, app, connectorNotFound());
    c.fields = { ...c.fields, ...storable(fields) }; // partial; settings replace the whole array
    return true;
  },
  "biconnector.connector.get": (ctx) => {
    const app = requireApp(ctx);
    const c = findOwned(ctx.state.connectors, requireId(ctx.params), app, connectorNotFound());
    return { item: item(c.id, c.fields) };
  },
  "biconnector.connector.list": (ctx) => {
    const app = requireApp(ctx);
    const rows = [...ctx.state.connectors.values()]
      .filter((c) => c.owner === app)
      .map((c) => ({ ...item(c.id, c.fields), id: String(c.id) })); // list ids as strings (main rev.)
    return runList(
      rows,
      ctx.params,
      CONNECTOR_FIELDS.map((f) => f.name),
    );
  },
  "biconnector.connector.delete": (ctx) => {
    const app = requireApp(ctx);
    const id = requireId(ctx.params);
    findOwned(ctx.state.connectors, id, app, connectorNotFound());
    if ([...ctx.state.sources.values()].some((s) => Number(s.fields.connectorId) === id))
      throw new ApiError(
        "CONNECTOR_DELETE_RESTRICTED",
        "Connector cannot be removed. Remove the connections related to the connector first.",
      );
    ctx.state.connectors.delete(id);
    return true;
  },
  "biconnector.connector.fields": () => describeFields(CONNECTOR_FIELDS),
};
