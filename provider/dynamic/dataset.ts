import * as pulumi from "@pulumi/pulumi";
import { datasetSchema } from "../core/schema/dataset";
import {
  DeclaredItem,
  Doc,
  Documented,
  FieldNamed,
  ItemsOf,
  StoredItem,
  StoredValue,
} from "../core/schema/types";
import { ArgsOf, OutputsOf } from "./resourceProps";
import { hostedResource } from "./providerText";

type ColumnFields = ItemsOf<FieldNamed<typeof datasetSchema.fields, "fields">>;

export type DatasetColumnType = StoredValue<FieldNamed<ColumnFields, "type">>;

/** TSDoc of DatasetColumn; its names and types come from the schema's `fields` items. */
interface DatasetColumnDocs {
  /** `^[A-Z][A-Z0-9_]*$`, ≤ 32, unique in the dataset. */
  name: Doc;
  /** The column's type in BI Builder. */
  type: Doc;
  /** The column code at the connector endpoint (unique in the dataset). */
  externalCode: Doc;
  /** Default true. */
  visible: Doc;
}

/** One column: `name` in BI Builder, `externalCode` as the connector's table description names it. */
export interface DatasetColumn extends Documented<DeclaredItem<ColumnFields>, DatasetColumnDocs> {}

interface StoredDatasetColumnDocs extends DatasetColumnDocs {
  /** The column id on the portal. */
  id: Doc;
}

/** A column as the portal stores it: with its id, `visible` always set. */
export interface StoredDatasetColumn extends Documented<
  StoredItem<ColumnFields>,
  StoredDatasetColumnDocs
> {}

/** TSDoc of DatasetArgs; names, optionality and types come from the schema. */
interface DatasetArgDocs {
  /** The source (usually `source.id`); changing it replaces the dataset. */
  sourceId: Doc;
  /** `^[a-z][a-z0-9_]*$`, ≤ 230, unique on the whole portal; changing it replaces the dataset. */
  name: Doc;
  /** The table code at the connector endpoint (its table list's `code`). */
  externalCode: Doc;
  /** The table's title at the connector endpoint. */
  externalName: Doc;
  /** Default "". */
  description: Doc;
  /** The columns; added, removed, shown or hidden in place. */
  fields: Doc;
  /** Take over this existing table of the application instead of creating one (create only). */
  adoptId: Doc;
}

export interface DatasetArgs extends Documented<
  ArgsOf<typeof datasetSchema, { fields: DatasetColumn }>,
  DatasetArgDocs
> {}

/** TSDoc of the Dataset's outputs. */
interface DatasetOutputDocs extends Omit<DatasetArgDocs, "adoptId" | "fields"> {
  /** The columns as stored, with their ids. */
  fields: Doc;
  /** The table type. */
  type: Doc;
  /** The BI Builder report dataset id (0 for tables made with table.add). */
  externalId: Doc;
  /** When the portal created it (`Y-m-d H:i:s`, portal time). */
  dateCreate: Doc;
  /** When it last changed; null until the first update. */
  dateUpdate: Doc;
  createdById: Doc;
  updatedById: Doc;
}

/** The outputs of a Dataset, from the schema (declared on the class below by interface merging). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- types only: the class declares no fields, the engine sets them
export interface Dataset extends Readonly<
  Documented<OutputsOf<typeof datasetSchema, { fields: StoredDatasetColumn }>, DatasetOutputDocs>
> {}

/** A Bitrix24 BI Builder dataset (table) of a source, with its columns (biconnector.table.*). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class Dataset extends pulumi.CustomResource {
  constructor(name: string, args: DatasetArgs, opts?: pulumi.CustomResourceOptions) {
    super(...hostedResource("Dataset", datasetSchema, name, args, opts));
  }
}
