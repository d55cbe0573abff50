import { JsonObject, JsonValue, ResourceSchema, apiFields } from "../../schema/spec";
import { ApiError } from "../apiError";
import { Owned, PortalState } from "../state";

export interface CallContext {
  /** The calling OAuth application's client_id; undefined for a webhook. */
  app?: string;
  params: JsonObject;
  state: PortalState;
  /** Makes an HTTP call to a connector endpoint (source add/update check). */
  callEndpoint(
    url: string,
    form: Record<string, string>,
  ): Promise<{ status: number; body: string }>;
}

export type Handler = (ctx: CallContext) => JsonValue | Promise<JsonValue>;

/** Methods work only in an application's context; webhooks get ACCESS_DENIED (§1.2). */
export function requireApp(ctx: CallContext): string {
  if (!ctx.app) throw new ApiError("ACCESS_DENIED", "Access denied.");
  return ctx.app;
}

/** Another application's object is reported as not found. */
export function findOwned(
  map: Map<number, Owned>,
  id: number,
  app: string,
  notFound: ApiError,
): Owned {
  const o = map.get(id);
  if (!o || o.owner !== app) throw notFound;
  return o;
}

/** `*.fields`: the static schema description, open to webhooks. */
export function describeFields(schema: ResourceSchema): JsonValue {
  return {
    fields: apiFields(schema).map((f) => ({
      name: f.name,
      title: f.name,
      type: f.name.startsWith("date") ? "datetime" : f.type,
      isRequired: Boolean(f.required || f.readOnly),
      isReadOnly: Boolean(f.readOnly),
      isImmutable: Boolean(f.immutable),
      isMultiple: f.type === "array",
    })),
  };
}
