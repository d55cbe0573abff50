import { FieldSpec, JsonObject } from "./spec";

/**
 * The TypeScript types of an object's values, read from its schema (declared `as const`): the typed
 * args, the resource outputs and the lookup results are built from these, so a field whose name,
 * optionality or type changes in the schema changes them too (and tests/unit/types.test.ts stops
 * compiling where a program would break).
 */

type Fields = readonly FieldSpec[];
type ReadOnly = { readonly readOnly: true };
type ProviderOnly = { readonly providerOnly: true };
type Required = { readonly required: true };
type AbsentFromList = { readonly absentFromList: true };

/** Fields a program declares: everything but what the server sets. */
export type DeclaredField<Fs extends Fields> = Exclude<Fs[number], ReadOnly>;
/** Fields the API stores and returns: everything but what only the provider reads (adoptId). */
export type StoredField<Fs extends Fields> = Exclude<Fs[number], ProviderOnly>;
export type DeclaredName<Fs extends Fields> = DeclaredField<Fs>["name"];
/** The spec of the field named K. */
export type FieldNamed<Fs extends Fields, K extends Fs[number]["name"]> = Extract<
  Fs[number],
  { readonly name: K }
>;

/**
 * Named types to show for array items (e.g. `{ fields: DatasetColumn }`), so that editors and error
 * messages say `DatasetColumn[]`, not the mapped type; each must equal the item type it stands for.
 */
export type ItemNames = Record<string, object>;
type NoNames = Record<never, never>;

type BaseValue<F extends FieldSpec, N extends ItemNames> = F extends {
  readonly enum: readonly (infer E)[];
}
  ? E
  : F extends { readonly type: "string" }
    ? string
    : F extends { readonly type: "integer" }
      ? number
      : F extends { readonly type: "boolean" }
        ? boolean
        : F extends { readonly type: "map" }
          ? Record<string, string>
          : F extends { readonly type: "array"; readonly items: infer I extends Fields }
            ? (F["name"] extends keyof N ? N[F["name"]] : StoredItem<I>)[]
            : never;

/** The value a field holds as the provider returns it (normalized: ids numbers, map values strings). */
export type StoredValue<F extends FieldSpec, N extends ItemNames = NoNames> = F extends {
  readonly nullable: true;
}
  ? BaseValue<F, N> | null
  : BaseValue<F, N>;

/** An array item as stored: every field present (defaults are filled in, server-set ones too). */
export type StoredItem<I extends Fields> = { [F in I[number] as F["name"]]: StoredValue<F> };

/** An array item as declared: server-set fields left out, the ones that are not required optional. */
export type DeclaredItem<I extends Fields> = Flat<
  {
    [F in DeclaredField<I> as F extends Required ? F["name"] : never]: StoredValue<F>;
  } & {
    [F in DeclaredField<I> as F extends Required ? never : F["name"]]?: StoredValue<F>;
  }
>;

/** The items of an array field. */
export type ItemsOf<F extends FieldSpec> = F extends { readonly items: infer I extends Fields }
  ? I
  : never;

/**
 * An object's stored values as read from an API item, its id aside; a field that list answers do
 * not carry (dataset columns) is optional.
 */
type StoredObject<Fs extends Fields, N extends ItemNames> = {
  [
    F in StoredField<Fs> as F extends AbsentFromList | { name: "id" } ? never : F["name"]
  ]: StoredValue<F, N>;
} & {
  [F in StoredField<Fs> as F extends AbsentFromList ? F["name"] : never]?: StoredValue<F, N>;
};

/** An object as a lookup returns it: its id and its stored values. */
export type ObjectInfo<Fs extends Fields, N extends ItemNames = NoNames> = Flat<
  { id: number } & StoredObject<Fs, N>
>;

/** What fromApiItem gives: the stored values of a schema declared `as const`. */
export type ItemValues<Fs extends Fields> = string extends Fs[number]["name"]
  ? JsonObject // a schema typed only as ResourceSchema (code generic over every object)
  : Flat<StoredObject<Fs, NoNames>>;

/** The stored fields of an object without its id (the resource outputs; the id is the resource's). */
export type StoredValues<Fs extends Fields, N extends ItemNames = NoNames> = {
  [F in StoredField<Fs> as F extends { name: "id" } ? never : F["name"]]: StoredValue<F, N>;
};

/** Keys of T whose property is optional. */
export type OptionalKeys<T> = {
  [K in keyof T]-?: object extends Pick<T, K> ? K : never;
}[keyof T];

/** The type of a property in a docs interface: only its name and its TSDoc comment count. */
export type Doc = unknown;

/**
 * T (a type derived from a schema) with the TSDoc comments of D, an interface that documents every
 * key of T and no other (a missing or extra key does not compile). Mapping over `keyof D` makes
 * editors show D's comments on T's properties; types and optionality come from T.
 */
export type Documented<
  T,
  D extends Record<keyof T, Doc> & Record<Exclude<keyof D, keyof T>, never>,
> = {
  [K in keyof D as K extends OptionalKeys<T> ? never : K]-?: T[K & keyof T];
} & {
  [K in keyof D as K extends OptionalKeys<T> ? K : never]+?: T[K & keyof T];
};

/** Shows an intersection of mapped types as one object type (in editors and error messages). */
export type Flat<T> = { [K in keyof T]: T[K] };

/** Compiles only when T is `true`: `type _Check = Assert<Same<A, B>>` guards a named type. */
export type Assert<T extends true> = T;

/** `true` only when A and B are the same type (each assignable to the other, unions compared whole). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
