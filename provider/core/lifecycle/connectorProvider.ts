import { connectorSchema } from "../schema/connector";
import { CheckSettingsSource, ClientSource } from "./clientSource";
import { ObjectProvider } from "./objectProvider";
import { ObjectAdapter } from "./objectAdapter";

export const connectorAdapter: ObjectAdapter<typeof connectorSchema> = {
  schema: connectorSchema,
  label: "Connector",
  notFound: "CONNECTOR_NOT_FOUND",
  listHasAll: true,
  methods: () => ({
    add: "biconnector.connector.add",
    get: "biconnector.connector.get",
    list: "biconnector.connector.list",
    update: "biconnector.connector.update",
    delete: "biconnector.connector.delete",
  }),
  reconcileFilter: (inputs) => ({ title: inputs.title ?? "" }),
  explain: (e, op, id) =>
    op === "delete" && e.code === "CONNECTOR_DELETE_RESTRICTED"
      ? `Connector ${id} still has sources (BI Builder connections) using it: delete those first. ` +
        "Sources managed in this stack are deleted first automatically when they take the connector's " +
        "id as their connectorId."
      : undefined,
};

/** The Connector's lifecycle against biconnector.connector.* (`new ConnectorProvider()` needs no arguments). */
export class ConnectorProvider extends ObjectProvider<typeof connectorSchema> {
  constructor(client?: ClientSource, checkSettings?: CheckSettingsSource) {
    super(connectorAdapter, client, checkSettings);
  }
}
