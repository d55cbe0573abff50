import type * as pulumi from "@pulumi/pulumi";
import { FieldSpec, ResourceSchema, apiFields } from "../core/schema/spec";
import { URN_KEY } from "./hostKeys";
import {
  DeclaredField,
  DeclaredItem,
  Flat,
  ItemNames,
  StoredValue,
  StoredValues,
} from "../core/schema/types";

type Required = { readonly required: true };

/**
 * What a program may pass for one field: ids of other objects as number or string (`resource.id`
 * is a string output), map values as strings or numbers (check turns them into strings), array
 * items and map values each an Input of their own.
 */
type ArgValue<F extends FieldSpec, N extends ItemNames> = F extends { readonly idOf: string }
  ? number | string
  : F extends { readonly type: "map" }
    ? Record<string, pulumi.Input<string | number>>
    : F extends { readonly type: "array"; readonly items: infer I extends readonly FieldSpec[] }
      ? pulumi.Input<F["name"] extends keyof N ? N[F["name"]] : DeclaredItem<I>>[]
      : StoredValue<F>;

/**
 * The typed args of a resource: every declared field, optional unless the API requires it; N names
 * the declared array item types (see ItemNames).
 */
export type ArgsOf<S extends ResourceSchema, N extends ItemNames = Record<never, never>> = Flat<
  {
    [F in DeclaredField<S["fields"]> as F extends Required ? F["name"] : never]: pulumi.Input<
      ArgValue<F, N>
    >;
  } & {
    [F in DeclaredField<S["fields"]> as F extends Required ? never : F["name"]]?: pulumi.Input<
      ArgValue<F, N>
    >;
  }
>;

/** The outputs of a resource (besides its id): every field the API stores; N as in StoredValues. */
export type OutputsOf<S extends ResourceSchema, N extends ItemNames = Record<never, never>> = {
  [K in keyof StoredValues<S["fields"], N>]: pulumi.Output<StoredValues<S["fields"], N>[K]>;
};

/**
 * The props given to a dynamic Resource: every output declared (as undefined, or the program
 * could not read it), then the user's args on top, and the resource's URN (see hostKeys.ts).
 */
export function resourceProps(
  schema: ResourceSchema,
  args: object,
  urn?: pulumi.Input<string>,
): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const f of apiFields(schema)) if (f.name !== "id") props[f.name] = undefined;
  return urn === undefined ? { ...props, ...args } : { ...props, ...args, [URN_KEY]: urn };
}
