import { JsonObject, JsonValue } from "../json";
import { ApiError } from "../apiError";
import { Owned, PortalState } from "../state";

export interface CallContext {
  /** The calling OAuth application's client_id; undefined for a webhook. */
  app?: string;
  /** The scopes of the access token or webhook. */
  scopes: readonly string[];
  params: JsonObject;
  state: PortalState;
  /**
   * Makes an HTTP call to a connector endpoint (source add/update check); refuses local-network
   * hosts unless the emulator allows them, as a cloud portal does.
   */
  callEndpoint(
    url: string,
    form: Record<string, string>,
  ): Promise<{ status: number; body: string }>;
}

export type Handler = (ctx: CallContext) => JsonValue | Promise<JsonValue>;

/** Methods work only in an application's context; webhooks get ACCESS_DENIED. */
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
