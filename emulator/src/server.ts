import axios from "axios";
import express from "express";
import { randomBytes } from "crypto";
import { AddressInfo } from "net";
import * as http from "http";
import * as https from "https";
import { rootCertificates } from "tls";
import { EmulatorCertificate, emulatorCertificate } from "./certificate";
import { JsonValue } from "./json";
import { controlRoutes } from "./control";
import { Faults, RandomFaults } from "./faults";
import { errorAnswer, unknownPath } from "./httpErrors";
import { Handler } from "./methods/context";
import { connectorMethods } from "./methods/connector";
import { batchHandler } from "./methods/batch";
import { sourceMethods } from "./methods/source";
import { datasetMethods } from "./methods/dataset";
import { systemMethods } from "./methods/system";
import { oauthRoutes } from "./oauthRoutes";
import { OAuthApp, OAuthServer, TokenPair } from "./oauthServer";
import { isLocalEndpoint } from "./privateAddress";
import { ProviderSettings } from "./providerSettings";
import { CallRecord, restHandler } from "./rest";
import { SampleConnectorOptions, sampleConnector } from "./sampleConnector";
import { PortalState } from "./state";
import { RateBucket } from "./rateBucket";
import { OperatingMeter } from "./time";

export type { CallRecord } from "./rest";

export interface EmulatorOptions {
  /** Port on 127.0.0.1 (0 = any free port). */
  port?: number;
  host?: string;
  /** The portal's leaky bucket; `false` turns it off. Default: 2 requests/s, burst 50. */
  rateLimit?: { rps: number; burst: number } | false;
  /** Added to every REST call, in ms. */
  latencyMs?: number;
  /** Life of an access token in seconds (default 3600, as on Bitrix24). */
  accessTokenTtlSec?: number;
  /** The OAuth application installed on the portal (default: a random local one). */
  app?: OAuthApp;
  /** The application's scopes, comma-separated (default `biconnector`); overrides `app.scope`. */
  scope?: string;
  /** The application's handler URL (the authorize redirect target); overrides `app.handlerUrl`. */
  handlerUrl?: string;
  webhook?: { userId: number; secret: string; scope?: string };
  randomFaults?: RandomFaults;
  /** Methods this portal refuses inside `batch` (ERROR_BATCH_METHOD_NOT_ALLOWED); none by default. */
  batchRefused?: string[];
  /** Portals before biconnector.table.* have only biconnector.dataset.* (default: both). */
  tableMethods?: boolean;
  /** Credentials the built-in sample connector endpoint (under /sample-connector/) accepts. */
  sampleConnector?: SampleConnectorOptions;
  /**
   * The clock of the token server and the operating limit, in ms since the epoch (default
   * Date.now): tests age authorization codes and tokens without sleeping.
   */
  now?: () => number;
  /**
   * Let source add/update call connector endpoints on loopback, private or link-local addresses.
   * Off by default, as on a cloud portal; the built-in sample connector is on loopback, so tests
   * and demos that use it turn this on.
   */
  allowPrivateEndpoints?: boolean;
  /** The admin token of the /_emulator/ control endpoints (default: random). */
  adminToken?: string;
  /** Largest request body accepted (default "10mb"); larger ones get 413 PAYLOAD_TOO_LARGE. */
  bodyLimit?: string;
  /**
   * Give OPERATION_TIME_LIMIT (429) answers a `time` block with `operating_reset_at`. Off by
   * default: the portal's error answers carry no timings.
   */
  operationLimitTimings?: boolean;
  /**
   * Answer the authorization-code exchange as the docs' example shows it, without `expires` and
   * `user_id`. Off by default: real token servers send a refresh's fields there too.
   */
  codeAnswerDocsExample?: boolean;
  /**
   * Serve HTTPS (the portal answers plain HTTP REST with INVALID_REQUEST "Https required"; plain
   * HTTP on loopback stays the default for tests). `true`: a new self-signed certificate for
   * 127.0.0.1, removed on close; `{certFile, keyFile}`: reuse those files, or create them there.
   */
  tls?: true | { certFile: string; keyFile: string };
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:PORT/ (https://… with `tls`) — also the portal URL. */
  readonly url: string;
  /** With `tls`: the certificate clients must trust (its file and PEM text). */
  readonly certificate?: { readonly file: string; readonly pem: string };
  readonly portalUrl: string;
  /** Token server base URL (bitrix24:oauthUrl). */
  readonly oauthUrl: string;
  /** The portal's authorize page for the installed application (append `&state=…`). */
  readonly authorizeUrl: string;
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
  /** The portal's rate-limit bucket (its level and peak), unless the limit is off. */
  readonly bucket?: RateBucket;
  /** Every REST call received, in order. */
  readonly calls: CallRecord[];
  /** Every HTTP request line received (method and full URL with its query), in order. */
  readonly requestLines: string[];
  /** Bearer token of the /_emulator/ control endpoints. */
  readonly adminToken: string;
  /** The provider settings (bitrix24:* keys) that reach this portal as its OAuth application. */
  providerSettings(tokenStore?: string): ProviderSettings;
  /** Calls of methods that change data (add/update/delete…). */
  writeCalls(): CallRecord[];
  /** Calls a control endpoint (`/_emulator/<path>`) with the admin token; the parsed answer. */
  control(
    path: string,
    init?: { method?: string; body?: JsonValue },
  ): Promise<{ status: number; data: unknown }>;
  close(): Promise<void>;
}

const WRITE = /\.(add|update|delete)$|\.fields\.update$/;
const secret = (): string => randomBytes(12).toString("hex");

/** Starts a stateful local Bitrix24 portal with the biconnector methods, on loopback. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? Date.now;
  const state = new PortalState();
  const faults = new Faults();
  faults.setRandom(options.randomFaults);
  const oauth = new OAuthServer({
    accessTtlSec: options.accessTokenTtlSec ?? 3600,
    now,
    codeAnswerDocsExample: options.codeAnswerDocsExample,
  });
  const app: OAuthApp = {
    ...(options.app ?? { clientId: "local.emulator.app", clientSecret: secret() }),
  };
  app.scope = options.scope ?? app.scope ?? "biconnector";
  if (options.handlerUrl !== undefined) app.handlerUrl = options.handlerUrl;
  oauth.addApp(app);
  const tokens = oauth.issue(app.clientId);
  const webhook = {
    userId: options.webhook?.userId ?? 1,
    secret: options.webhook?.secret ?? secret(),
    scope: options.webhook?.scope ?? "biconnector",
  };
  const adminToken = options.adminToken ?? randomBytes(16).toString("hex");
  const allowPrivate = options.allowPrivateEndpoints ?? false;
  const rate = options.rateLimit ?? { rps: 2, burst: 50 };
  const bucket = rate ? new RateBucket(rate.rps, rate.burst) : undefined;
  const calls: CallRecord[] = [];
  const requestLines: string[] = [];
  const methods: Record<string, Handler> = {
    ...connectorMethods,
    ...sourceMethods(),
    ...datasetMethods({ tableMethods: options.tableMethods ?? true }),
    ...systemMethods(),
  };
  const meter = new OperatingMeter(now);
  methods.batch = batchHandler(methods, options.batchRefused ?? [], faults, meter);

  const cert: EmulatorCertificate | undefined = options.tls
    ? await emulatorCertificate(options.tls)
    : undefined;
  // With TLS, connector endpoints on this emulator (its sample connector) use its certificate.
  const httpsAgent = cert
    ? new https.Agent({ ca: [...rootCertificates, cert.certPem] })
    : undefined;

  const callEndpoint = async (url: string, form: Record<string, string>) => {
    if (!allowPrivate && (await isLocalEndpoint(url)))
      throw new Error("local-network endpoints are not called (allowPrivateEndpoints is off)");
    const res = await axios.post(url, new URLSearchParams(form).toString(), {
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      timeout: 10_000,
      validateStatus: () => true,
      responseType: "text",
      maxRedirects: 0,
      httpsAgent,
    });
    return { status: res.status, body: String(res.data ?? "") };
  };

  const bodyLimit = options.bodyLimit ?? "10mb";
  const web = express();
  web.disable("x-powered-by");
  // Bracket notation in queries (`fields[title]=…`), as the portal reads GET parameters.
  web.set("query parser", "extended");
  web.use((req, _res, next) => {
    requestLines.push(`${req.method} ${req.originalUrl}`);
    next();
  });
  web.use(express.json({ limit: bodyLimit }));
  web.use(express.urlencoded({ extended: true, limit: bodyLimit }));

  const sampleCredentials = options.sampleConnector ?? { login: "demo", password: "demo-password" };
  web.use("/sample-connector", sampleConnector(sampleCredentials));
  web.use(oauthRoutes(oauth));
  web.use(
    "/_emulator",
    controlRoutes({ adminToken, state, faults, oauth, clientId: app.clientId }),
  );
  web.all(
    "/rest/*path",
    restHandler({
      methods,
      state,
      faults,
      oauth,
      meter,
      operationLimitTimings: options.operationLimitTimings,
      bucket,
      latencyMs: options.latencyMs,
      webhook,
      calls,
      callEndpoint,
    }),
  );
  web.use(unknownPath);
  web.use(errorAnswer(bodyLimit));

  const host = options.host ?? "127.0.0.1";
  const server = cert
    ? https.createServer({ cert: cert.certPem, key: cert.keyPem }, web)
    : http.createServer(web);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `${cert ? "https" : "http"}://${host}:${port}/`;
  oauth.setEndpoints({ portalUrl: url, oauthUrl: url });
  return {
    url,
    ...(cert ? { certificate: { file: cert.certFile, pem: cert.certPem } } : {}),
    portalUrl: url,
    oauthUrl: url,
    authorizeUrl: `${url}oauth/authorize/?client_id=${encodeURIComponent(app.clientId)}`,
    webhookUrl: `${url}rest/${webhook.userId}/${webhook.secret}/`,
    sampleConnectorUrl: `${url}sample-connector`,
    sampleConnectorCredentials: sampleCredentials,
    app,
    tokens,
    state,
    faults,
    oauth,
    bucket,
    calls,
    requestLines,
    adminToken,
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
    control: async (path, init = {}) => {
      const res = await axios.request({
        url: `${url}_emulator/${path.replace(/^\/+/, "")}`,
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        data: init.body,
        headers: { Authorization: `Bearer ${adminToken}` },
        validateStatus: () => true,
        timeout: 10_000,
        httpsAgent,
      });
      return { status: res.status, data: res.data as unknown };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          cert?.cleanup();
          resolve();
        });
      }),
  };
}
