import * as pulumi from "@pulumi/pulumi";
import { COLUMN_TYPES, DatasetInputName, datasetSchema } from "../schema/dataset";
import { SameNames, resourceProps } from "./resourceProps";
import { providerShim } from "./shim";

export type DatasetColumnType = (typeof COLUMN_TYPES)[number];

/** One column: `name` in BI Builder, `externalCode` as the connector's table description names it. */
export interface DatasetColumn {
  /** `^[A-Z][A-Z0-9_]*$`, ≤ 32, unique in the dataset. */
  name: string;
  type: DatasetColumnType;
  /** The column code at the connector endpoint (unique in the dataset). */
  externalCode: string;
  /** Default true. */
  visible?: boolean;
}

export interface DatasetArgs {
  /** The source (usually `source.id`); changing it replaces the dataset. */
  sourceId: pulumi.Input<number | string>;
  /** `^[a-z][a-z0-9_]*$`, ≤ 230, unique on the whole portal; changing it replaces the dataset. */
  name: pulumi.Input<string>;
  /** The table code at the connector endpoint (its table list's `code`). */
  externalCode: pulumi.Input<string>;
  /** The table's title at the connector endpoint. */
  externalName: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** The columns; added, removed, shown or hidden in place. */
  fields: pulumi.Input<pulumi.Input<DatasetColumn>[]>;
  /** Take over this existing table of the application instead of creating one (create only). */
  adoptId?: pulumi.Input<number>;
}

const argsMatchSchema: SameNames<keyof DatasetArgs, DatasetInputName> = true;
void argsMatchSchema;

/** A Bitrix24 BI Builder dataset (table) of a source, with its columns (biconnector.table.*). */
export class Dataset extends pulumi.dynamic.Resource {
  declare public readonly sourceId: pulumi.Output<number>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly externalCode: pulumi.Output<string>;
  declare public readonly externalName: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  /** The columns as stored, with their ids. */
  declare public readonly fields: pulumi.Output<(DatasetColumn & { id: number })[]>;
  declare public readonly type: pulumi.Output<string>;
  /** The BI Builder report dataset id (0 for tables made with table.add). */
  declare public readonly externalId: pulumi.Output<number>;
  declare public readonly dateCreate: pulumi.Output<string>;
  declare public readonly dateUpdate: pulumi.Output<string | null>;
  declare public readonly createdById: pulumi.Output<number>;
  declare public readonly updatedById: pulumi.Output<number>;

  constructor(name: string, args: DatasetArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerShim("dataset"),
      name,
      resourceProps(datasetSchema, args),
      opts,
      "bitrix24",
      "Dataset",
    );
  }
}
