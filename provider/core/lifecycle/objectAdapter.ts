import { Bitrix24Client } from "../client/client";
import { Bitrix24Error } from "../errors/errors";
import { Operation } from "../client/operation/operation";
import { JsonObject, JsonValue, ResourceSchema } from "../schema/spec";
import { CheckFailure } from "../schema/validate";
import { ClientSource } from "./clientSource";

export interface ObjectMethods {
  add: string;
  get: string;
  list: string;
  update: string;
  delete: string;
}

/** What differs between biconnector objects; everything else is the same lifecycle. */
export interface ObjectAdapter<S extends ResourceSchema = ResourceSchema> {
  readonly schema: S;
  /** "Connector", "Source", "Dataset": used in messages. */
  readonly label: string;
  methods(op: Operation, client: Bitrix24Client): Promise<ObjectMethods> | ObjectMethods;
  /** The error code for "no such object (of this application)". */
  readonly notFound: string;
  /** The object from a `get` result as a flat API item (default: `result.item`). */
  itemFromGet?(
    result: JsonValue,
    old: JsonObject | undefined,
    op: Operation,
    m: ObjectMethods,
  ): JsonObject | undefined | Promise<JsonObject | undefined>;
  /** After add: what add cannot set (e.g. hidden columns); returns true when it changed something. */
  afterCreate?(
    op: Operation,
    m: ObjectMethods,
    id: number,
    inputs: JsonObject,
    outs: JsonObject,
  ): Promise<boolean>;
  /** A `list` item in the shape `get` items have after itemFromGet (default: as is). */
  itemFromList?(item: JsonObject): JsonObject;
  /** Checks against the portal, when they can run (e.g. settings keys against the connector). */
  checkAgainstPortal?(inputs: JsonObject, client: ClientSource): Promise<CheckFailure[]>;
  /** `fields` for add (default: every declared API field). */
  addFields?(inputs: JsonObject): JsonObject;
  /** Applies an in-place update of the changed fields (default: `update {id, fields}`). */
  update?(
    op: Operation,
    m: ObjectMethods,
    id: number,
    inputs: JsonObject,
    olds: JsonObject,
    changed: string[],
  ): Promise<void>;
  /** The list filter that finds an object whose `add` answer was lost. */
  reconcileFilter(inputs: JsonObject): JsonObject;
  /** Extra words for an error of an operation (e.g. CONNECTOR_DELETE_RESTRICTED on delete). */
  explain?(e: Bitrix24Error, op: "create" | "update" | "delete", id?: string): string | undefined;
  /** Server-set fields change on update (dates, column ids): read the object back after one. */
  readonly refetchAfterUpdate?: boolean;
  /**
   * `list` items carry everything `get` gives (connectors, sources; not datasets, whose columns
   * only `get` has): reads may then be served from list pages, and a create reads its new object
   * back in the same batch request as its `add`.
   */
  readonly listHasAll?: boolean;
  /** Before adopting: why this existing object cannot become the declared one, if it cannot. */
  adoptionConflict?(existing: JsonObject, inputs: JsonObject): string | undefined;
}
