import { Bitrix24Error } from "../errors/errors";
import { CheckSettingsSource, ClientSource } from "./clientSource";
import { sourceSchema } from "../schema/source";
import { JsonObject, JsonValue, isJsonObject } from "../schema/spec";
import { isUnknown } from "../schema/unknown";
import { CheckFailure } from "../schema/validate";
import { toUpdateFields } from "../schema/mapping";
import { ConnectorProvider } from "./connectorProvider";
import { ObjectProvider } from "./objectProvider";
import { ObjectAdapter } from "./objectAdapter";

/**
 * get/list return settings as [{code, name, type, value, id}]; inputs and outputs use {code: value}.
 * Absent (a list whose selection leaves them out) reads as no settings; any other shape is passed
 * on as it came, for the answer check to refuse (never coerced to `{}`).
 */
function settingsMap(v: JsonValue | undefined): JsonValue {
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v)) return v;
  const out: JsonObject = {};
  for (const s of v) if (isJsonObject(s) && typeof s.code === "string") out[s.code] = s.value ?? "";
  return out;
}

/**
 * The setting codes a connector declares; `"missing"` when the portal says this application has no
 * such connector (it does not exist, or another application owns it); undefined when it cannot be
 * read now (no credentials yet during a first preview, the portal unreachable): create will tell.
 */
async function connectorCodes(
  connectorId: number,
  client: ClientSource,
): Promise<string[] | "missing" | undefined> {
  let connector;
  try {
    connector = await new ConnectorProvider(client).lookup(client(), connectorId);
  } catch {
    return undefined;
  }
  return connector ? connector.settings.map((s) => s.code) : "missing";
}

export const sourceAdapter: ObjectAdapter<typeof sourceSchema> = {
  schema: sourceSchema,
  label: "Source",
  notFound: "SOURCE_NOT_FOUND",
  refetchAfterUpdate: true,
  listHasAll: true,
  methods: () => ({
    add: "biconnector.source.add",
    get: "biconnector.source.get",
    list: "biconnector.source.list",
    update: "biconnector.source.update",
    delete: "biconnector.source.delete",
  }),
  // get nests the source under `connection` (docs/bitrix24-api.md#source-methods).
  itemFromGet: (r) => {
    const item = isJsonObject(r) && isJsonObject(r.item) ? r.item : undefined;
    if (!item) return undefined;
    const conn = isJsonObject(item.connection) ? item.connection : {};
    return {
      ...conn,
      connectorId: item.connectorId ?? null,
      settings: settingsMap(item.settings),
    };
  },
  itemFromList: (item) => ({ ...item, settings: settingsMap(item.settings) }),
  async checkAgainstPortal(inputs, client): Promise<CheckFailure[]> {
    const connectorId = inputs.connectorId;
    if (typeof connectorId !== "number" || !isJsonObject(inputs.settings)) return [];
    const codes = await connectorCodes(connectorId, client);
    if (!codes) return [];
    if (codes === "missing")
      return [
        {
          property: "connectorId",
          reason: `connector ${connectorId} does not exist on this portal, or belongs to another application (CONNECTOR_NOT_FOUND): a source can use only a connector of the same OAuth application`,
        },
      ];
    // The portal drops unknown keys silently: a typo would lose a credential without a word.
    return Object.keys(inputs.settings)
      .filter((k) => !codes.includes(k))
      .map((k) => ({
        property: `settings.${k}`,
        reason: `connector ${connectorId} has no setting with code ${JSON.stringify(k)}; its codes: ${codes.join(", ") || "(none)"}`,
      }));
  },
  // update requires title every time; settings merge by key.
  update: async (op, m, id, inputs, _olds, changed) => {
    await op.callCoalesced(
      m.update,
      {
        id,
        fields: { ...toUpdateFields(sourceSchema, inputs, changed), title: inputs.title ?? "" },
      },
      // read back in the same request: the update moves dateUpdate (lists carry all of a source)
      { list: m.list, query: { ids: [id] } },
    );
  },
  reconcileFilter: (inputs) => ({
    title: inputs.title ?? "",
    connectorId: inputs.connectorId ?? 0,
  }),
  adoptionConflict: (existing, inputs) =>
    Number(existing.connectorId) !== Number(inputs.connectorId) && !isUnknown(inputs.connectorId)
      ? `it belongs to connector ${existing.connectorId}, not ${inputs.connectorId} (a source cannot move to another connector)`
      : undefined,
  explain: (e: Bitrix24Error, op, id) => {
    if (e.code === "SOURCE_CREATE_CONNECTION_ERROR" || e.code === "SOURCE_UPDATE_CONNECTION_ERROR")
      return "Bitrix24 checks every source against its connector's urlCheck endpoint: the endpoint is unreachable, or it refused these settings (only HTTP 200 with a non-empty body passes).";
    if (op === "delete" && e.code === "BX_ERROR")
      return `Source ${id} still has datasets (tables): delete them first. Datasets managed in this stack are deleted first automatically when they take the source's id as their sourceId.`;
    return undefined;
  },
};

/** The Source's lifecycle against biconnector.source.* (`new SourceProvider()` needs no arguments). */
export class SourceProvider extends ObjectProvider<typeof sourceSchema> {
  constructor(client?: ClientSource, checkSettings?: CheckSettingsSource) {
    super(sourceAdapter, client, checkSettings);
  }
}
