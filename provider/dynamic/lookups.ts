import * as pulumi from "@pulumi/pulumi";
import { Bitrix24Client } from "../core/client/client";
import { SettingKey } from "../core/client/settings";
import { clientFor } from "../core/lifecycle/clientSource";
import { ConnectorSetting } from "./connector";
import { ConnectorProvider } from "../core/lifecycle/connectorProvider";
import { StoredDatasetColumn } from "./dataset";
import { DatasetProvider } from "../core/lifecycle/datasetProvider";
import { SourceProvider } from "../core/lifecycle/sourceProvider";
import { connectorSchema } from "../core/schema/connector";
import { datasetSchema } from "../core/schema/dataset";
import { sourceSchema } from "../core/schema/source";
import { ObjectInfo } from "../core/schema/types";

/**
 * Lookups for programs: read existing BI Builder objects of the application as typed plain data,
 * e.g. `pulumi.output(getConnector(12))`. They run in the program process, so they read the stack
 * config (`bitrix24:*`) the program sees, then the environment — the same settings as the provider.
 * Their types are the schema's stored fields plus the id.
 */
export interface ConnectorInfo extends ObjectInfo<
  typeof connectorSchema.fields,
  { settings: ConnectorSetting }
> {}

/** Setting values come back in plain text, as the API returns them: wrap them in pulumi.secret. */
export interface SourceInfo extends ObjectInfo<typeof sourceSchema.fields> {}

/** listDatasets items have no columns (the list method does not return them); getDataset has them. */
export interface DatasetInfo extends ObjectInfo<
  typeof datasetSchema.fields,
  { fields: StoredDatasetColumn }
> {}

/** A biconnector list filter: field → value, with the API's key prefixes (`%title`, `>=id`, `@id`…). */
export type ListFilter = Record<string, string | number | boolean | (string | number)[]>;

/** The settings a program sees: its stack config, then the environment. */
const programClient: () => Bitrix24Client = clientFor((key: SettingKey) =>
  pulumi.runtime.getConfig(`bitrix24:${key}`),
);

export async function getConnector(id: number | string): Promise<ConnectorInfo | undefined> {
  return new ConnectorProvider().lookup(programClient(), id);
}
export async function listConnectors(filter: ListFilter = {}): Promise<ConnectorInfo[]> {
  return new ConnectorProvider().lookupAll(programClient(), filter);
}
export async function getSource(id: number | string): Promise<SourceInfo | undefined> {
  return new SourceProvider().lookup(programClient(), id);
}
export async function listSources(filter: ListFilter = {}): Promise<SourceInfo[]> {
  return new SourceProvider().lookupAll(programClient(), filter);
}
export async function getDataset(id: number | string): Promise<DatasetInfo | undefined> {
  return new DatasetProvider().lookup(programClient(), id);
}
export async function listDatasets(filter: ListFilter = {}): Promise<DatasetInfo[]> {
  return new DatasetProvider().lookupAll(programClient(), filter);
}
