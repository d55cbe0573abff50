import * as http from "http";
import { AddressInfo } from "net";
import { Emulator } from "bitrix24-biconnector-emulator";
import { SettingKey } from "../../provider/core/client/settings";
import { tempDir } from "../helpers/portal";

/**
 * A loopback proxy in front of the emulator: every request reaches the emulator, which applies it
 * as the portal would; then a script may replace its answer with a bad one (or drop it). So a bad
 * answer comes after a real commit — the case a client must survive without adding twice.
 */
export interface Forwarded {
  /** `batch`, `biconnector.connector.add`, `oauth/token`… */
  method: string;
  /** Counts requests of this method, from 1. */
  nth: number;
  /** The request body as sent (JSON for REST calls). */
  body: string;
  /** The emulator's own answer. */
  status: number;
  answer: string;
}

/** What to send instead: another answer, or `"lose"` to drop the connection unanswered. */
export type Replacement = { status: number; text: string } | "lose" | undefined;
export type Swap = (x: Forwarded) => Replacement;

export interface SwappingProxy {
  url: string;
  /** Every request, as forwarded (with the emulator's answer). */
  seen: Forwarded[];
  count: (method: string) => number;
  swap: Swap;
  close: () => Promise<void>;
}

function methodOf(url: string): string {
  const p = new URL(url, "http://x").pathname;
  if (p.startsWith("/oauth/token")) return "oauth/token";
  return p.replace(/^\/rest\/(\d+\/[^/]+\/)?/, "").replace(/\/$/, "");
}

function forward(
  target: URL,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; answer: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            answer: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    out.on("error", reject);
    out.end(body);
  });
}

export async function swappingProxy(emulatorUrl: string): Promise<SwappingProxy> {
  const target = new URL(emulatorUrl);
  const seen: Forwarded[] = [];
  const counts = new Map<string, number>();
  const proxy: SwappingProxy = {
    url: "",
    seen,
    count: (method) => seen.filter((x) => x.method === method).length,
    swap: () => undefined,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const method = methodOf(req.url ?? "/");
      const nth = (counts.get(method) ?? 0) + 1;
      counts.set(method, nth);
      forward(target, req, body).then(
        (real) => {
          const x: Forwarded = {
            method,
            nth,
            body: body.toString("utf8"),
            status: real.status,
            answer: real.answer.toString("utf8"),
          };
          seen.push(x);
          const instead = proxy.swap(x);
          if (instead === "lose") return res.socket?.destroy();
          if (instead === undefined) {
            res.writeHead(real.status, {
              "Content-Type": String(real.headers["content-type"] ?? "application/json"),
            });
            return res.end(real.answer);
          }
          res.writeHead(instead.status, { "Content-Type": "application/json" });
          res.end(instead.text);
        },
        () => res.socket?.destroy(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/**
 * Provider settings for the emulator's OAuth application, every request through the proxy; fast
 * retries and short timeouts (a case that fails fails quickly), no rate limit of our own.
 */
export function settingsThrough(
  emu: Emulator,
  proxy: SwappingProxy,
  more: Partial<Record<SettingKey, string>> = {},
): Partial<Record<SettingKey, string>> {
  return {
    ...emu.providerSettings(`${tempDir("b24-swap-")}/tokens.json`),
    portalUrl: proxy.url,
    oauthUrl: proxy.url,
    allowPrivateEndpoints: "true",
    rateLimitRps: "1000",
    rateLimitBurst: "1000",
    retryBaseDelayMs: "5",
    requestTimeoutMs: "300",
    operationTimeoutMs: "1500",
    ...more,
  };
}

/**
 * The portal's own answer with every list item's id (a list alone, or the lists inside a batch)
 * replaced by `id`; undefined when it is no JSON or holds no list item.
 */
export function withListIds(answer: string, id: unknown): string | undefined {
  let v: { result?: unknown };
  try {
    v = JSON.parse(answer) as { result?: unknown };
  } catch {
    return undefined;
  }
  let changed = false;
  const patch = (page: unknown) => {
    if (!Array.isArray(page)) return;
    for (const item of page)
      if (item && typeof item === "object") changed = !!Object.assign(item, { id });
  };
  patch(v.result);
  const inner = (v.result as { result?: unknown } | null)?.result;
  if (inner && typeof inner === "object") Object.values(inner).forEach(patch);
  return changed ? JSON.stringify(v) : undefined;
}
