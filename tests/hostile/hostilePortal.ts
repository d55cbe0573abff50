import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { inspect } from "util";
import { SettingKey } from "../../provider/core/client/settings";
import { tempDir } from "../helpers/portal";

/**
 * Scripted misbehaving portals on loopback: each request is handed to a script that answers it as
 * a broken proxy or a hostile server would (drips, endless pages, echoes, HTML, huge bodies, lost
 * answers). Not an emulator: no Bitrix24 logic beyond what a case needs, written per case.
 */
export interface Exchange {
  /** `biconnector.connector.get`, or `oauth/token` for the token endpoint. */
  method: string;
  /** The request body (JSON or form) or, for GET, the query. */
  params: Record<string, unknown>;
  raw: string;
  url: string;
}

export type Script = (x: Exchange, res: http.ServerResponse) => void | Promise<void>;

export interface HostilePortal {
  url: string;
  exchanges: Exchange[];
  /** Bytes written to clients in all. */
  bytesSent: () => number;
  calls: (method: string) => number;
  /** Settings of an OAuth application on this portal (its token server is the same server). */
  settings: (more?: Partial<Record<SettingKey, string>>) => Partial<Record<SettingKey, string>>;
  close: () => Promise<void>;
}

/** Credentials no error may show, in any form: long, with characters JSON and URLs escape. */
export const SECRETS = {
  accessToken: "acc/ess+tok=en-9f2d41c6b7a8e5d3",
  refreshToken: 'ref"resh/tok en-51c0aa9e77d2b4f8',
  clientSecret: "cli+ent/sec&ret-c3b9e1d7f5a2",
};

function methodOf(url: string): string {
  const p = new URL(url, "http://x").pathname;
  if (p.startsWith("/oauth/token")) return "oauth/token";
  return p.replace(/^\/rest\/(\d+\/[^/]+\/)?/, "").replace(/\/$/, "");
}

function parse(raw: string, url: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === "object" && v !== null) return v as Record<string, unknown>;
  } catch {
    // form or query below
  }
  const q = new URLSearchParams(raw || new URL(url, "http://x").search);
  return Object.fromEntries(q.entries());
}

export async function hostilePortal(script: Script): Promise<HostilePortal> {
  const exchanges: Exchange[] = [];
  let sent = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = req.url ?? "/";
      const x = { method: methodOf(url), params: parse(raw, url), raw, url };
      exchanges.push(x);
      const write = res.write.bind(res);
      res.write = ((chunk: string | Buffer, ...rest: never[]) => {
        sent += Buffer.byteLength(chunk);
        return write(chunk, ...rest);
      }) as typeof res.write;
      void Promise.resolve(script(x, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const store = path.join(tempDir("b24-hostile-"), "tokens.json");
  return {
    url,
    exchanges,
    bytesSent: () => sent,
    calls: (method) => exchanges.filter((x) => x.method === method).length,
    settings: (more = {}) => ({
      portalUrl: url,
      oauthUrl: url,
      clientId: "local.hostile",
      clientSecret: SECRETS.clientSecret,
      accessToken: SECRETS.accessToken,
      refreshToken: SECRETS.refreshToken,
      tokenStore: store,
      rateLimitRps: "1000",
      rateLimitBurst: "1000",
      retryBaseDelayMs: "20",
      requestTimeoutMs: "1000",
      operationTimeoutMs: "5000",
      ...more,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- answers a script can give ----

export function json(res: http.ServerResponse, body: unknown, status = 200): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(text);
}

/** `{result, time}` as the portal answers. */
export function ok(res: http.ServerResponse, result: unknown, time: object = {}): void {
  json(res, { result, time: { start: Date.now() / 1000, ...time } });
}

export function html(res: http.ServerResponse, status = 200): void {
  res.writeHead(status, { "Content-Type": "text/html" });
  res.end("<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>");
}

/** Sends `text` one byte every `everyMs`; an endless drip when `text` is undefined. */
export function drip(res: http.ServerResponse, text: string | undefined, everyMs: number): void {
  res.writeHead(200, { "Content-Type": "application/json" });
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    if (text !== undefined && i >= text.length) {
      clearInterval(timer);
      return res.end();
    }
    res.write(text === undefined ? " " : text[i]);
    i++;
  }, everyMs);
  res.on("close", () => clearInterval(timer));
}

/** A body of `bytes` bytes written in 64 KiB chunks as fast as the client reads. */
export function huge(res: http.ServerResponse, bytes: number, status = 500): void {
  res.writeHead(status, { "Content-Type": "text/html" });
  const chunk = "x".repeat(64 * 1024);
  let left = bytes;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(chunk.slice(0, n))) return void res.once("drain", pump);
    }
    if (!res.destroyed) res.end();
  };
  res.on("close", () => (left = 0));
  pump();
}

/** Drops the connection without an answer (after the script has "committed" what it wanted). */
export function lose(res: http.ServerResponse): void {
  res.socket?.destroy();
}

/** Everything a user could see of an error; no secret may appear in it in any form. */
export function shown(e: unknown): string {
  if (!(e instanceof Error)) return inspect(e);
  return [e.message, e.stack, inspect(e, { depth: 10 }), JSON.stringify(e)].join("\n");
}

export function secretForms(secret: string): string[] {
  const j = JSON.stringify(secret).slice(1, -1);
  return [
    secret,
    j,
    j.replace(/\//g, "\\/"),
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
  ];
}

/** Runs `fn`, returning its error (or failing the test if it did not throw) and its duration. */
export async function failure(fn: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const start = Date.now();
  try {
    await fn();
  } catch (error) {
    return { error, ms: Date.now() - start };
  }
  throw new Error("expected the operation to fail");
}
