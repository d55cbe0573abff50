import axios from "axios";
import express, { Request, Response } from "express";
import { randomBytes } from "crypto";
import { AddressInfo } from "net";
import { Server } from "http";
import { TokenBucket } from "limiter";
import { JsonObject, JsonValue, isJsonObject } from "./json";
import { ApiError, systemError } from "./apiError";
import { FaultRule, Faults, RandomFaults } from "./faults";
import { Handler, CallContext } from "./methods/context";
import { connectorMethods } from "./methods/connector";
import { batchHandler } from "./methods/batch";
import { sourceMethods } from "./methods/source";
import { datasetMethods } from "./methods/dataset";
import { SampleConnectorOptions, sampleConnector } from "./sampleConnector";
import { OAuthApp, OAuthServer, TokenPair } from "./oauthServer";
import { PortalState } from "./state";
import { ProviderSettings } from "./providerSettings";

export interface EmulatorOptions {
  /** Port on 127.0.0.1 (0 = any free port). */
  port?: number;
  host?: string;
  /** The portal's leaky bucket; `false` turns it off. Default: 2 requests/s, burst 50. */
  rateLimit?: { rps: number; burst: number } | false;
  /** Added to every REST call, in ms. */
  latencyMs?: number;
  accessTokenTtlSec?: number;
  app?: OAuthApp;
  webhook?: { userId: number; secret: string };
  randomFaults?: RandomFaults;
  /** Methods this portal refuses inside `batch` (ERROR_BATCH_METHOD_NOT_ALLOWED); none by default. */
  batchRefused?: string[];
  /** Portals before biconnector.table.* have only biconnector.dataset.* (default: both). */
  tableMethods?: boolean;
  /** Credentials the built-in sample connector endpoint (under /sample-connector/) accepts. */
  sampleConnector?: SampleConnectorOptions;
}

export interface CallRecord {
  method: string;
  status: number;
  fault?: string;
  /** For `batch`: the methods of its commands. */
  commands?: string[];
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:PORT/ — also the portal URL. */
  readonly url: string;
  readonly portalUrl: string;
  /** Token server base URL (bitrix24:oauthUrl). */
  readonly oauthUrl: string;
  /** Incoming webhook URL (only `*.fields` answer to it, as on a real portal). */
  readonly webhookUrl: string;
  /** Base URL of the built-in sample connector endpoint: `${url}/check`, `/table_list`, … */
  readonly sampleConnectorUrl: string;
  readonly sampleConnectorCredentials: SampleConnectorOptions;
  readonly app: OAuthApp;
  /** The token pair issued to the app at start (what its install callback received). */
  readonly tokens: TokenPair;
  readonly state: PortalState;
  readonly faults: Faults;
  readonly oauth: OAuthServer;
  /** Every REST call received, in order. */
  readonly calls: CallRecord[];
  /** The provider settings (bitrix24:* keys) that reach this portal as its OAuth application. */
  providerSettings(tokenStore?: string): ProviderSettings;
  /** Calls of methods that change data (add/update/delete…). */
  writeCalls(): CallRecord[];
  close(): Promise<void>;
}

// The same answers whether the portal produced them or a test injected them.
const tooManyRequests = () => systemError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
const expiredToken = () =>
  systemError(401, "expired_token", "The access token provided has expired.");

const WRITE = /\.(add|update|delete)$|\.fields\.update$/;
const secret = (): string => randomBytes(12).toString("hex");

function timeBlock(start: number): JsonObject {
  const finish = Date.now() / 1000;
  return {
    start: start / 1000,
    finish,
    duration: finish - start / 1000,
    processing: finish - start / 1000,
    date_start: new Date(start).toISOString(),
    date_finish: new Date().toISOString(),
  };
}

/** Starts a stateful local Bitrix24 portal with the biconnector methods, on loopback. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new PortalState();
  const faults = new Faults();
  faults.setRandom(options.randomFaults);
  const oauth = new OAuthServer(options.accessTokenTtlSec ?? 3600);
  const app: OAuthApp = options.app ?? { clientId: "local.emulator.app", clientSecret: secret() };
  oauth.addApp(app);
  const tokens = oauth.issue(app.clientId);
  const webhook = options.webhook ?? { userId: 1, secret: secret() };
  const rate = options.rateLimit ?? { rps: 2, burst: 50 };
  const bucket = rate
    ? new TokenBucket({ bucketSize: rate.burst, tokensPerInterval: rate.rps, interval: 1000 })
    : undefined;
  if (bucket && rate) bucket.content = rate.burst;
  const calls: CallRecord[] = [];
  const methods: Record<string, Handler> = {
    ...connectorMethods,
    ...sourceMethods(),
    ...datasetMethods({ tableMethods: options.tableMethods ?? true }),
  };
  methods.batch = batchHandler(methods, options.batchRefused ?? []);

  const callEndpoint = async (url: string, form: Record<string, string>) => {
    const res = await axios.post(url, new URLSearchParams(form).toString(), {
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      timeout: 10_000,
      validateStatus: () => true,
      responseType: "text",
    });
    return { status: res.status, body: String(res.data ?? "") };
  };

  const web = express();
  web.use(express.json({ limit: "10mb" }));
  web.use(express.urlencoded({ extended: true, limit: "10mb" }));

  const sampleCredentials = options.sampleConnector ?? { login: "demo", password: "demo-password" };
  web.use("/sample-connector", sampleConnector(sampleCredentials));

  web.all("/oauth/token/", (req: Request, res: Response) => {
    const { status, body } = oauth.grant({
      ...req.query,
      ...(isJsonObject(req.body) ? req.body : {}),
    });
    res.status(status).json(body);
  });

  // Out-of-band edits "in the portal" (what an admin would do in the UI), for tests and the demo.
  web.get("/_emulator/connectors", (_req, res) => {
    res.json([...state.connectors.values()]);
  });
  web.patch("/_emulator/connectors/:id", (req, res) => {
    const c = state.connectors.get(Number(req.params.id));
    if (!c) return void res.status(404).json({ error: "not found" });
    c.fields = { ...c.fields, ...(isJsonObject(req.body) ? req.body : {}) };
    res.json(c);
  });
  web.delete("/_emulator/connectors/:id", (req, res) => {
    res.json({ deleted: state.connectors.delete(Number(req.params.id)) });
  });
  web.post("/_emulator/faults", (req, res) => {
    const rules: FaultRule[] = Array.isArray(req.body) ? req.body : [req.body];
    for (const r of rules) faults.inject(r);
    res.json({ injected: rules.length });
  });
  web.post("/_emulator/expire-tokens", (_req, res) => {
    oauth.expireAll();
    res.json({ expired: true });
  });

  web.all("/rest/*path", async (req: Request, res: Response) => {
    const started = Date.now();
    const segments = ([] as string[]).concat(
      (req.params as { path?: string | string[] }).path ?? [],
    );
    const method = (segments[segments.length - 1] ?? "").replace(/\.json$/, "");
    const params: JsonObject = {
      ...(req.query as JsonObject),
      ...(isJsonObject(req.body) ? req.body : {}),
    };
    const record: CallRecord = { method, status: 200 };
    calls.push(record);
    const send = (status: number, body: JsonValue) => {
      record.status = status;
      res.status(status).json(body);
    };
    const fail = (e: ApiError) => {
      if (e.root) send(e.status, { error: e.code, error_description: e.description });
      else
        send(e.status, {
          result: { error: { error: e.code, error_description: e.description } },
          time: timeBlock(started),
        });
    };
    try {
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      if (bucket && !bucket.tryRemoveTokens(1)) throw tooManyRequests();
      const fault = faults.take(method);
      record.fault = fault?.kind;
      switch (fault?.kind) {
        case "rateLimit":
          throw tooManyRequests();
        case "serverError":
          throw systemError(500, "INTERNAL_SERVER_ERROR", "Internal server error");
        case "expiredToken":
          throw expiredToken();
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
      let appId: string | undefined;
      if (segments.length === 3) {
        if (segments[0] !== String(webhook.userId) || segments[1] !== webhook.secret)
          throw systemError(401, "NO_AUTH_FOUND", "Wrong authorization data");
      } else if (segments.length === 1) {
        const auth = typeof params.auth === "string" ? params.auth : "";
        const who = oauth.resolve(auth);
        if (who === "expired") throw expiredToken();
        if (!who) throw systemError(401, "NO_AUTH_FOUND", "Wrong authorization data");
        appId = who;
        delete params.auth;
      } else throw systemError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
      const handler = methods[method];
      if (!handler) throw systemError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
      if (method === "batch" && isJsonObject(params.cmd))
        record.commands = Object.values(params.cmd).map((line) => String(line).split("?")[0]);
      const ctx: CallContext = { app: appId, params, state, callEndpoint };
      const result = await handler(ctx);
      if (fault?.kind === "commitThenReset") {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      send(200, { result, time: timeBlock(started) });
    } catch (e) {
      if (e instanceof ApiError) fail(e);
      else
        fail(systemError(500, "INTERNAL_SERVER_ERROR", e instanceof Error ? e.message : String(e)));
    }
  });

  const host = options.host ?? "127.0.0.1";
  const server: Server = await new Promise((resolve) => {
    const s = web.listen(options.port ?? 0, host, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}/`;
  return {
    url,
    portalUrl: url,
    oauthUrl: url,
    webhookUrl: `${url}rest/${webhook.userId}/${webhook.secret}/`,
    sampleConnectorUrl: `${url}sample-connector`,
    sampleConnectorCredentials: sampleCredentials,
    app,
    tokens,
    state,
    faults,
    oauth,
    calls,
    providerSettings: (tokenStore) => ({
      portalUrl: url,
      oauthUrl: url,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      ...(tokenStore ? { tokenStore } : {}),
    }),
    writeCalls: () =>
      calls.filter((c) => WRITE.test(c.method) || (c.commands ?? []).some((m) => WRITE.test(m))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
