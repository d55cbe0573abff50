export {
  Connector,
  ConnectorArgs,
  ConnectorSetting,
  ConnectorSettingType,
} from "./dynamic/connector";
export { ConnectorProvider } from "./core/lifecycle/connectorProvider";
export { Source, SourceArgs } from "./dynamic/source";
export { SourceProvider } from "./core/lifecycle/sourceProvider";
export { sourceSchema } from "./core/schema/source";
export {
  Dataset,
  DatasetArgs,
  DatasetColumn,
  DatasetColumnType,
  StoredDatasetColumn,
} from "./dynamic/dataset";
export { DatasetProvider } from "./core/lifecycle/datasetProvider";
export { datasetSchema } from "./core/schema/dataset";
export { connectorSchema } from "./core/schema/connector";
export {
  Bitrix24Client,
  Bitrix24Error,
  Bitrix24TransportError,
  Bitrix24DeadlineError,
  Bitrix24ConfigError,
  SETTINGS,
  resolveSettings,
} from "./core/client";
export type { Settings, ClientStats } from "./core/client";
export {
  getConnector,
  listConnectors,
  getSource,
  listSources,
  getDataset,
  listDatasets,
} from "./dynamic/lookups";
export type { ConnectorInfo, SourceInfo, DatasetInfo, ListFilter } from "./dynamic/lookups";
/**
 * Not for direct use. Today's shim loads `pulumi-bitrix24-biconnector/runtime`; the shims already
 * serialized in existing stacks' state load this export of the index, so it stays.
 */
export { providerRuntime } from "./dynamic/runtime";
