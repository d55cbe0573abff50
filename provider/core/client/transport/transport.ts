import axios, { AxiosInstance } from "axios";
import { nestsDeeperThan } from "./answerValues";
import { Bitrix24AnswerTooLargeError, Bitrix24TransportError } from "../../errors/errors";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../settings";

/** One HTTP exchange, always a POST: a JSON body for REST calls, a form body for the token server. */
export interface HttpRequest {
  readonly url: string;
  readonly json?: unknown;
  readonly form?: Readonly<Record<string, string>>;
  /** The whole exchange — connect, headers and body — ends within this time. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Answers larger than this are cut off: a transport error naming the limit (default 16 MiB). */
  readonly maxBytes?: number;
  /** Names the call in errors (a REST method, or `oauth/token`); never part of the URL's secrets. */
  readonly label: string;
}

export interface HttpResponse {
  readonly status: number;
  /** The body parsed as JSON, or the raw text when it is not JSON (an HTML page from a proxy). */
  readonly data: unknown;
}

/**
 * The bottom of the client. Injected, so every layer above can be tested in-process against a
 * scripted fake; a network failure rejects with Bitrix24TransportError and nothing else.
 */
export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * The body as JSON, or as the raw text when it is not JSON — or nests deeper than any Bitrix24
 * answer does (MAX_ANSWER_DEPTH): every layer above walks answers recursively, and a body 20,000
 * arrays deep would overflow the stack there. Such a body is read like any unreadable answer.
 */
function parseBody(text: unknown): unknown {
  if (typeof text !== "string") return text;
  try {
    const data: unknown = JSON.parse(text);
    return nestsDeeperThan(data) ? text : data;
  } catch {
    return text;
  }
}

/**
 * The real transport: axios, every status read as an answer, no redirects followed. axios's own
 * `timeout` stops waiting for the headers only; a body dripped byte by byte would run on, so an
 * abort signal that fires after `timeoutMs` cuts the whole exchange (the stream is destroyed), and
 * `maxContentLength` stops reading an answer at `maxBytes`.
 */
export function axiosTransport(instance: AxiosInstance = axios.create()): Transport {
  return async (req) => {
    const timer = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timer]) : timer;
    const maxBytes = req.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    try {
      const body = req.form ? new URLSearchParams({ ...req.form }).toString() : req.json;
      const res = await instance.post(req.url, body, {
        timeout: req.timeoutMs,
        signal,
        maxContentLength: maxBytes,
        validateStatus: () => true,
        headers: {
          "Content-Type": req.form ? "application/x-www-form-urlencoded" : "application/json",
          Accept: "application/json",
          "User-Agent": "pulumi-bitrix24-biconnector",
        },
        // Plain text in, so an HTML error page from a proxy does not throw inside axios.
        responseType: "text",
        transitional: {
          silentJSONParsing: true,
          forcedJSONParsing: false,
          clarifyTimeoutError: true,
        },
        maxRedirects: 0,
      });
      return { status: res.status, data: parseBody(res.data) };
    } catch (e) {
      // Never rethrow the axios error: its config holds the URL and body (webhook secret, token).
      const code = axios.isAxiosError(e) ? (e.code ?? "network error") : "network error";
      if (axios.isAxiosError(e) && /maxContentLength/.test(e.message))
        throw new Bitrix24AnswerTooLargeError(req.label, maxBytes);
      const timedOut =
        code === "ETIMEDOUT" || code === "ECONNABORTED" || (timer.aborted && !req.signal?.aborted);
      throw new Bitrix24TransportError(
        req.label,
        timedOut
          ? `timeout after ${req.timeoutMs} ms`
          : code === "ERR_CANCELED"
            ? "cancelled"
            : code,
      );
    }
  };
}
