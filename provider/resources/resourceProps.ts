import { ResourceSchema, apiFields } from "../schema/spec";

/**
 * `true` only when A and B are the same union of names: used as
 * `const check: SameNames<keyof XArgs, XInputName> = true` so that the typed args of a resource and
 * its schema cannot drift apart (a compile error, not a runtime surprise).
 */
export type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

/**
 * The props given to a dynamic Resource: every output declared (as undefined, or the program
 * could not read it), then the user's args on top.
 */
export function resourceProps(schema: ResourceSchema, args: object): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const f of apiFields(schema)) if (f.name !== "id") props[f.name] = undefined;
  return { ...props, ...args };
}
