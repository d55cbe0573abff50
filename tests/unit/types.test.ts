/**
 * Type-level tests: this file compiles only while the public types say what programs rely on and
 * follow the schema. ts-jest type-checks it, so a wrong type fails the run; each `@ts-expect-error`
 * line must stay an error (an unused one fails too). The `it` blocks check the runtime side of the
 * same promises.
 */
import * as pulumi from "@pulumi/pulumi";
import type {
  Connector,
  ConnectorArgs,
  ConnectorInfo,
  ConnectorSetting,
  ConnectorSettingType,
  Dataset,
  DatasetArgs,
  DatasetColumn,
  DatasetColumnType,
  DatasetInfo,
  Source,
  SourceArgs,
  SourceInfo,
  StoredDatasetColumn,
} from "../../provider";
import { connectorSchema } from "../../provider/core/schema/connector";
import { COLUMN_TYPES, datasetSchema } from "../../provider/core/schema/dataset";
import { sourceSchema } from "../../provider/core/schema/source";
import { JsonObject, ResourceSchema } from "../../provider/core/schema/spec";
import {
  Assert,
  Doc,
  Documented,
  ItemValues,
  ObjectInfo,
  Same,
} from "../../provider/core/schema/types";
import { ArgsOf, OutputsOf, resourceProps } from "../../provider/dynamic/resourceProps";
import { fromApiItem } from "../../provider/core/schema/mapping";

type In<T> = pulumi.Input<T>;
type Out<T> = pulumi.Output<T>;
/** The plain value behind an Output (what `apply` hands the callback). */
type Unwrapped<T> = T extends pulumi.Output<infer V> ? V : never;

// ---- The derivation itself, on a schema holding one field of each kind. ----
const _probeSchema = {
  object: "probe",
  fields: [
    { name: "id", type: "integer", readOnly: true },
    { name: "label", type: "string", required: true },
    { name: "count", type: "integer", default: 1 },
    { name: "flag", type: "boolean" },
    { name: "kind", type: "string", required: true, enum: ["A", "B"] },
    { name: "values", type: "map", required: true },
    { name: "ownerId", type: "integer", required: true, idOf: "owner" },
    {
      name: "rows",
      type: "array",
      absentFromList: true,
      items: [
        { name: "id", type: "integer", readOnly: true },
        { name: "code", type: "string", required: true },
        { name: "shown", type: "boolean", default: true },
      ],
    },
    { name: "changedAt", type: "string", readOnly: true, nullable: true },
    { name: "adoptId", type: "integer", providerOnly: true },
  ],
} as const satisfies ResourceSchema;
type Probe = typeof _probeSchema;

type ExpectedProbeArgs = {
  label: In<string>;
  count?: In<number>;
  flag?: In<boolean>;
  kind: In<"A" | "B">;
  values: In<Record<string, In<string | number>>>;
  ownerId: In<number | string>;
  rows?: In<In<{ code: string; shown?: boolean }>[]>;
  adoptId?: In<number>;
};
type ExpectedProbeStored = {
  label: string;
  count: number;
  flag: boolean;
  kind: "A" | "B";
  values: Record<string, string>;
  ownerId: number;
  rows: { id: number; code: string; shown: boolean }[];
  changedAt: string | null;
};
type _ProbeArgs = Assert<Same<ArgsOf<Probe>, ExpectedProbeArgs>>;
type _ProbeOutputs = Assert<
  Same<OutputsOf<Probe>, { [K in keyof ExpectedProbeStored]: Out<ExpectedProbeStored[K]> }>
>;
type _ProbeInfo = Assert<
  Same<
    ObjectInfo<Probe["fields"]>,
    { id: number } & Omit<ExpectedProbeStored, "rows"> & Partial<Pick<ExpectedProbeStored, "rows">>
  >
>;
// A schema typed only as ResourceSchema has no field types: generic code sees plain JSON.
type _GenericItem = Assert<Same<ItemValues<ResourceSchema["fields"]>, JsonObject>>;

// ---- The public types, pinned: a schema change that would break programs stops compiling here. ----
type _SettingType = Assert<Same<ConnectorSettingType, "STRING" | "INT">>;
type _Setting = Assert<
  Same<ConnectorSetting, { name: string; code: string; type: "STRING" | "INT" }>
>;
type _ConnectorArgs = Assert<
  Same<
    ConnectorArgs,
    {
      title: In<string>;
      logo: In<string>;
      description?: In<string>;
      sort?: In<number>;
      urlCheck: In<string>;
      urlTableList: In<string>;
      urlTableDescription: In<string>;
      urlData: In<string>;
      settings: In<In<ConnectorSetting>[]>;
      supportMapping?: In<boolean>;
      sourceCode?: In<string>;
      adoptId?: In<number>;
    }
  >
>;
type ConnectorValues = Omit<ConnectorInfo, "id">;
type _ConnectorInfo = Assert<
  Same<
    ConnectorValues,
    {
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
  >
>;
// Every stored field is an output of the resource with the type a lookup gives.
type _ConnectorOutputs = Assert<
  Same<{ [K in keyof ConnectorValues]: Unwrapped<Connector[K]> }, ConnectorValues>
>;

type _SourceArgs = Assert<
  Same<
    SourceArgs,
    {
      connectorId: In<number | string>;
      title: In<string>;
      description?: In<string>;
      settings: In<Record<string, In<string | number>>>;
      adoptId?: In<number>;
    }
  >
>;
type SourceValues = Omit<SourceInfo, "id">;
type _SourceInfo = Assert<
  Same<
    SourceValues,
    {
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
  >
>;
type _SourceOutputs = Assert<
  Same<{ [K in keyof SourceValues]: Unwrapped<Source[K]> }, SourceValues>
>;

type _ColumnType = Assert<Same<DatasetColumnType, (typeof COLUMN_TYPES)[number]>>;
type _Column = Assert<
  Same<
    DatasetColumn,
    { name: string; type: DatasetColumnType; externalCode: string; visible?: boolean }
  >
>;
type _StoredColumn = Assert<Same<StoredDatasetColumn, { id: number } & Required<DatasetColumn>>>;
type _DatasetArgs = Assert<
  Same<
    DatasetArgs,
    {
      sourceId: In<number | string>;
      name: In<string>;
      externalCode: In<string>;
      externalName: In<string>;
      description?: In<string>;
      fields: In<In<DatasetColumn>[]>;
      adoptId?: In<number>;
    }
  >
>;
type DatasetValues = Omit<DatasetInfo, "id">;
type _DatasetInfo = Assert<
  Same<
    DatasetValues,
    {
      sourceId: number;
      name: string;
      externalCode: string;
      externalName: string;
      description: string;
      // list answers carry no columns
      fields?: StoredDatasetColumn[];
      type: string;
      externalId: number;
      dateCreate: string;
      dateUpdate: string | null;
      createdById: number;
      updatedById: number;
    }
  >
>;
type _DatasetOutputs = Assert<
  Same<{ [K in keyof DatasetValues]-?: Unwrapped<Dataset[K]> }, Required<DatasetValues>>
>;

// ---- What a program may and may not write. ----
const connectorArgs: ConnectorArgs = {
  title: "t",
  logo: "https://x/logo.svg",
  urlCheck: "https://x/check",
  urlTableList: "https://x/list",
  urlTableDescription: "https://x/desc",
  urlData: "https://x/data",
  settings: [{ name: "Login", code: "login", type: "STRING" }],
};
// @ts-expect-error sort is an integer field
const _sortAsString: ConnectorArgs = { ...connectorArgs, sort: "1" };
// @ts-expect-error setting types are the enum's literals
const _badSettingType: ConnectorSetting = { name: "n", code: "c", type: "FLOAT" };
// @ts-expect-error dateCreate is set by the server: an output, not an arg
const _readOnlyArg: ConnectorArgs = { ...connectorArgs, dateCreate: "2025-01-01 00:00:00" };
// @ts-expect-error title is required
const _noTitle: ConnectorArgs = { ...connectorArgs, title: undefined };
const sourceArgs: SourceArgs = {
  connectorId: "12",
  title: "s",
  settings: { login: "bi", port: 5432 },
};
// @ts-expect-error connectorId is an id: a number or a string, not a boolean
const _badConnectorId: SourceArgs = { ...sourceArgs, connectorId: true };
// @ts-expect-error a column without externalCode
const _columnWithoutCode: DatasetColumn = { name: "A", type: "int" };
// @ts-expect-error a column's type is one of the column types
const _badColumnType: DatasetColumn = { name: "A", type: "float", externalCode: "a" };
// @ts-expect-error adoptId is read by the provider only: no output carries it
type _NoAdoptOutput = Connector["adoptId"];
// @ts-expect-error a getDataset/listDatasets result may lack its columns
const _columnsAlwaysThere = (d: DatasetInfo): StoredDatasetColumn[] => d.fields;

// ---- Documented: every key of the derived type documented, and no other. ----
type Plain = { a: string; b?: number };
type _Documented = Assert<
  Same<Documented<Plain, { a: Doc; b: Doc }>, { a: string } & { b?: number }>
>;
// @ts-expect-error a key of the derived type without its doc
type _MissingDoc = Documented<Plain, { a: Doc }>;
// @ts-expect-error a doc for a key the derived type does not have
type _ExtraDoc = Documented<Plain, { a: Doc; b: Doc; c: Doc }>;

describe("typed args, outputs and lookups follow the schema", () => {
  it("the outputs a resource declares at runtime are exactly its typed outputs", () => {
    // The keys resourceProps declares are what a program can read off the resource object.
    const typed = {
      connector: {
        title: 1,
        logo: 1,
        description: 1,
        sort: 1,
        urlCheck: 1,
        urlTableList: 1,
        urlTableDescription: 1,
        urlData: 1,
        settings: 1,
        supportMapping: 1,
        sourceCode: 1,
        dateCreate: 1,
      } satisfies Record<keyof OutputsOf<typeof connectorSchema>, 1>,
      source: {
        connectorId: 1,
        title: 1,
        description: 1,
        settings: 1,
        active: 1,
        type: 1,
        code: 1,
        dateCreate: 1,
        dateUpdate: 1,
        createdById: 1,
        updatedById: 1,
      } satisfies Record<keyof OutputsOf<typeof sourceSchema>, 1>,
      dataset: {
        sourceId: 1,
        name: 1,
        externalCode: 1,
        externalName: 1,
        description: 1,
        fields: 1,
        type: 1,
        externalId: 1,
        dateCreate: 1,
        dateUpdate: 1,
        createdById: 1,
        updatedById: 1,
      } satisfies Record<keyof OutputsOf<typeof datasetSchema>, 1>,
    };
    const runtime = (s: ResourceSchema) => Object.keys(resourceProps(s, {})).sort();
    expect(runtime(connectorSchema)).toEqual(Object.keys(typed.connector).sort());
    expect(runtime(sourceSchema)).toEqual(Object.keys(typed.source).sort());
    expect(runtime(datasetSchema)).toEqual(Object.keys(typed.dataset).sort());
  });

  it("fromApiItem gives the values its type promises: ids as numbers, defaults filled, map values as strings", () => {
    const values = fromApiItem(sourceSchema, {
      id: "7",
      title: "Sales",
      connectorId: "12",
      settings: { login: "bi", port: 5432 },
      createdById: "1",
      dateUpdate: null,
    });
    const connectorId: number = values.connectorId;
    const port: string = values.settings.port;
    const dateUpdate: string | null = values.dateUpdate;
    expect(connectorId).toBe(12);
    expect(port).toBe("5432");
    expect(dateUpdate).toBeNull();
    expect(values.description).toBe("");
    expect(values.createdById).toBe(1);
  });
});

// Values only used by the compile-time checks above.
void connectorArgs;
void sourceArgs;
