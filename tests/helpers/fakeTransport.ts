import {
  HttpRequest,
  HttpResponse,
  Transport,
} from "../../provider/core/client/transport/transport";
import { Bitrix24TransportError } from "../../provider/core/errors/errors";

/** What the scripted portal does with one request. */
export type Script = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/** The REST method a request was for (the URL's last path segment). */
export const methodOf = (req: HttpRequest): string =>
  req.url.replace(/\/$/, "").split("/").pop() ?? "";

export const ok = (result: unknown): HttpResponse => ({ status: 200, data: { result, time: {} } });
export const moduleError = (code: string, description = ""): HttpResponse => ({
  status: 200,
  data: { result: { error: { error: code, error_description: description } } },
});
export const systemError = (status: number, code: string, description = ""): HttpResponse => ({
  status,
  data: { error: code, error_description: description },
});
/** The connection broke: the request may or may not have reached the portal. */
export const lost = (label = "test"): never => {
  throw new Bitrix24TransportError(label, "ECONNRESET");
};

/**
 * An in-process transport for unit tests: no sockets. Each request is answered by the next
 * scripted answer (the last one repeats), and every request is recorded.
 */
export function fakeTransport(...answers: Script[]): Transport & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  const t = async (req: HttpRequest): Promise<HttpResponse> => {
    requests.push(req);
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
    return answer(req);
  };
  return Object.assign(t, { requests });
}

/** A transport that answers per REST method; an unlisted method fails the test loudly. */
export function portalScript(byMethod: Record<string, Script>): Script {
  return (req) => {
    const handler = byMethod[methodOf(req)];
    if (!handler) throw new Error(`unexpected call ${methodOf(req)}`);
    return handler(req);
  };
}
