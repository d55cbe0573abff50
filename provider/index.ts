export {
  Connector,
  ConnectorArgs,
  ConnectorSetting,
  ConnectorSettingType,
} from "./resources/connector";
export { ConnectorProvider } from "./resources/connectorProvider";
export { Source, SourceArgs } from "./resources/source";
export { SourceProvider } from "./resources/sourceProvider";
export { sourceSchema } from "./schema/source";
export {
  Dataset,
  DatasetArgs,
  DatasetColumn,
  DatasetColumnType,
  StoredDatasetColumn,
} from "./resources/dataset";
export { DatasetProvider } from "./resources/datasetProvider";
export { datasetSchema } from "./schema/dataset";
export { connectorSchema } from "./schema/connector";
export {
  Bitrix24Client,
  Bitrix24Error,
  Bitrix24TransportError,
  Bitrix24DeadlineError,
  Bitrix24ConfigError,
  SETTINGS,
  resolveSettings,
} from "./client";
export type { Settings, ClientStats } from "./client";
export {
  getConnector,
  listConnectors,
  getSource,
  listSources,
  getDataset,
  listDatasets,
} from "./lookups";
export type { ConnectorInfo, SourceInfo, DatasetInfo, ListFilter } from "./lookups";
/** Used by the serialized provider shim; not for direct use. */
export { providerRuntime } from "./runtime";
