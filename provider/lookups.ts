import * as pulumi from "@pulumi/pulumi";
import { Bitrix24Client } from "./client/client";
import { layeredSource, resolveSettings, SettingKey } from "./client/settings";
import { createClient } from "./client/shared";
import { ConnectorSetting } from "./resources/connector";
import { ConnectorProvider } from "./resources/connectorProvider";
import { DatasetColumn } from "./resources/dataset";
import { DatasetProvider } from "./resources/datasetProvider";
import { SourceProvider } from "./resources/sourceProvider";
import { JsonObject } from "./schema/spec";

/**
 * Lookups for programs: read existing BI Builder objects of the application as typed plain data,
 * e.g. `pulumi.output(getConnector(12))`. They run in the program process, so they read the stack
 * config (`bitrix24:*`) the program sees, then the environment — the same settings as the provider.
 */
export interface ConnectorInfo {
  id: number;
  title: string;
  logo: string;
  description: string;
  sort: number;
  urlCheck: string;
  urlTableList: string;
  urlTableDescription: string;
  urlData: string;
  settings: ConnectorSetting[];
  supportMapping: boolean;
  sourceCode: string;
  dateCreate: string;
}

/** Setting values come back in plain text, as the API returns them: wrap them in pulumi.secret. */
export interface SourceInfo {
  id: number;
  connectorId: number;
  title: string;
  description: string;
  settings: Record<string, string>;
  active: boolean;
  type: string;
  code: string;
  dateCreate: string;
  dateUpdate: string | null;
  createdById: number;
  updatedById: number;
}

/** listDatasets items have no columns (the list method does not return them); getDataset has them. */
export interface DatasetInfo {
  id: number;
  sourceId: number;
  name: string;
  externalCode: string;
  externalName: string;
  description: string;
  fields?: (DatasetColumn & { id: number })[];
  type: string;
  externalId: number;
  dateCreate: string;
  dateUpdate: string | null;
  createdById: number;
  updatedById: number;
}

/** A biconnector list filter: field → value, with the API's key prefixes (`%title`, `>=id`, `@id`…). */
export type ListFilter = Record<string, string | number | boolean | (string | number)[]>;

/** The settings a program sees: its stack config, then the environment. */
function programClient(): Bitrix24Client {
  return createClient(
    resolveSettings(
      layeredSource((key: SettingKey) => pulumi.runtime.getConfig(`bitrix24:${key}`)),
    ),
  );
}

const as = <T>(o: JsonObject | undefined): T | undefined => o as unknown as T | undefined;

export async function getConnector(id: number | string): Promise<ConnectorInfo | undefined> {
  return as<ConnectorInfo>(await new ConnectorProvider().lookup(programClient(), id));
}
export async function listConnectors(filter: ListFilter = {}): Promise<ConnectorInfo[]> {
  return (await new ConnectorProvider().lookupAll(
    programClient(),
    filter,
  )) as unknown as ConnectorInfo[];
}
export async function getSource(id: number | string): Promise<SourceInfo | undefined> {
  return as<SourceInfo>(await new SourceProvider().lookup(programClient(), id));
}
export async function listSources(filter: ListFilter = {}): Promise<SourceInfo[]> {
  return (await new SourceProvider().lookupAll(programClient(), filter)) as unknown as SourceInfo[];
}
export async function getDataset(id: number | string): Promise<DatasetInfo | undefined> {
  return as<DatasetInfo>(await new DatasetProvider().lookup(programClient(), id));
}
export async function listDatasets(filter: ListFilter = {}): Promise<DatasetInfo[]> {
  return (await new DatasetProvider().lookupAll(
    programClient(),
    filter,
  )) as unknown as DatasetInfo[];
}
