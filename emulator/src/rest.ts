import { Request, Response } from "express";
import { JsonObject, JsonValue, isJsonObject } from "./json";
import { ApiError, systemError } from "./apiError";
import { Faults } from "./faults";
import { CallContext, Handler } from "./methods/context";
import { invoke } from "./methods/dispatch";
import { OAuthServer } from "./oauthServer";
import { PortalState } from "./state";
import { RateBucket } from "./rateBucket";
import { OperatingMeter, timeBlock } from "./time";

export interface CallRecord {
  method: string;
  status: number;
  /** When the request arrived (ms since the epoch): benchmarks place requests in a command's time. */
  at: number;
  fault?: string;
  /** For `batch`: the methods of its commands. */
  commands?: string[];
}

// The same answers whether the portal produced them or a test injected them.
export const tooManyRequests = () => systemError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
export const expiredToken = () =>
  systemError(401, "expired_token", "The access token provided has expired.");
const operationTimeLimit = () =>
  systemError(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit");
const DEFAULT_BLOCK_SEC = 60;

export interface RestDeps {
  methods: Record<string, Handler>;
  state: PortalState;
  faults: Faults;
  oauth: OAuthServer;
  meter: OperatingMeter;
  bucket?: RateBucket;
  latencyMs?: number;
  webhook: { userId: number; secret: string; scope: string };
  calls: CallRecord[];
  callEndpoint: CallContext["callEndpoint"];
  /** Give OPERATION_TIME_LIMIT answers a `time` block (off: the portal's error answers have none). */
  operationLimitTimings?: boolean;
}

/** Method names of a batch's commands, for the call record. */
function batchCommands(cmd: JsonValue | undefined): string[] | undefined {
  const lines = Array.isArray(cmd) ? cmd : isJsonObject(cmd) ? Object.values(cmd) : undefined;
  return lines?.map((line) => String(line).split("?")[0].toLowerCase());
}

/** `/rest/<method>` (OAuth, `auth` in query or body) and `/rest/<user>/<secret>/<method>` (webhook). */
export function restHandler(deps: RestDeps) {
  const { faults, oauth, meter, calls } = deps;
  return async (req: Request, res: Response): Promise<void> => {
    const started = Date.now();
    const segments = ([] as string[]).concat(
      (req.params as { path?: string | string[] }).path ?? [],
    );
    // `/rest//METHOD` is `/rest/METHOD`: the official JS SDK joins the portal's client_endpoint,
    // which ends in `/rest/`, with `/` + the method, and every OAuth call of it arrives so.
    while (segments.length > 1 && segments[0] === "") segments.shift();
    // Method names are case-insensitive, as on real portals (BICONNECTOR.CONNECTOR.LIST works).
    const method = (segments[segments.length - 1] ?? "").replace(/\.json$/i, "").toLowerCase();
    const params: JsonObject = {
      ...(req.query as JsonObject),
      ...(isJsonObject(req.body) ? req.body : {}),
    };
    const record: CallRecord = { method, status: 200, at: started };
    calls.push(record);
    const send = (status: number, body: JsonValue) => {
      record.status = status;
      res.status(status).json(body);
    };
    const fail = (e: ApiError) => {
      // The portal's error answers carry no `time` block (the official JS SDK's source says so and
      // derives the wait from earlier successful answers); `operationLimitTimings` adds one.
      if (e.code === "OPERATION_TIME_LIMIT")
        send(e.status, {
          error: e.code,
          error_description: e.description,
          ...(deps.operationLimitTimings ? { time: timeBlock(started, meter.fields(method)) } : {}),
        });
      else if (e.root) send(e.status, { error: e.code, error_description: e.description });
      else
        send(e.status, {
          result: { error: { error: e.code, error_description: e.description } },
          time: timeBlock(started, meter.fields(method)),
        });
    };
    try {
      if (deps.latencyMs) await new Promise((r) => setTimeout(r, deps.latencyMs));
      if (deps.bucket && !deps.bucket.tryTake()) throw tooManyRequests();
      if (meter.blockedUntil(method) !== undefined) {
        record.fault = "operationTimeLimit";
        throw operationTimeLimit();
      }
      const fault = faults.take(method);
      record.fault = fault?.kind;
      switch (fault?.kind) {
        case "rateLimit":
          throw tooManyRequests();
        case "serverError":
          throw systemError(500, "INTERNAL_SERVER_ERROR", "Internal server error");
        case "expiredToken":
          throw expiredToken();
        case "operationTimeLimit":
          meter.block(method, fault.resetInSec ?? DEFAULT_BLOCK_SEC);
          throw operationTimeLimit();
        case "error":
          throw new ApiError(
            fault.code ?? "BX_ERROR",
            fault.description ?? "Injected error",
            fault.status ?? 200,
            (fault.status ?? 200) !== 200,
          );
        case "reset":
          record.status = 0;
          req.socket.destroy();
          return;
      }
      // Auth: webhook in the path, or an OAuth access token in `auth`.
      let app: string | undefined;
      let scopes: readonly string[];
      if (segments.length === 3) {
        if (segments[0] !== String(deps.webhook.userId) || segments[1] !== deps.webhook.secret)
          throw systemError(401, "NO_AUTH_FOUND", "Wrong authorization data");
        scopes = deps.webhook.scope.split(",").map((s) => s.trim());
      } else if (segments.length === 1) {
        const grant = oauth.resolve(typeof params.auth === "string" ? params.auth : "");
        if (grant === "expired") throw expiredToken();
        if (!grant) throw systemError(401, "NO_AUTH_FOUND", "Wrong authorization data");
        app = grant.clientId;
        scopes = grant.scopes;
        delete params.auth;
      } else throw systemError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
      if (method === "batch") record.commands = batchCommands(params.cmd);
      const ctx: CallContext = {
        app,
        scopes,
        params,
        state: deps.state,
        callEndpoint: deps.callEndpoint,
      };
      const result = await invoke(deps.methods, method, ctx);
      if (fault?.kind === "commitThenReset") {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      meter.record(method, (Date.now() - started) / 1000);
      send(200, { result, time: timeBlock(started, meter.fields(method)) });
    } catch (e) {
      if (e instanceof ApiError) fail(e);
      else fail(systemError(500, "INTERNAL_SERVER_ERROR", "Internal server error"));
    }
  };
}
