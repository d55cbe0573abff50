import { readEnvelope } from "../../../provider/core/client/transport/envelope";
import { Bitrix24Error, Bitrix24TransportError } from "../../../provider/core/errors/errors";

const M = "biconnector.connector.get";

describe("envelope: the result or the error an answer holds", () => {
  test("a success gives its result", () => {
    expect(readEnvelope(M, 200, { result: { item: { id: 4 } }, time: {} })).toEqual({
      item: { id: 4 },
    });
  });

  test("a module error inside result (HTTP 200) is a Bitrix24Error naming method and code", () => {
    const e = (() => {
      try {
        readEnvelope(M, 200, {
          result: {
            error: { error: "CONNECTOR_NOT_FOUND", error_description: "Connector was not found." },
          },
        });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(Bitrix24Error);
    expect(e).toMatchObject({ method: M, code: "CONNECTOR_NOT_FOUND", httpStatus: 200 });
    expect(String((e as Error).message)).toContain(M);
  });

  test("a root system error keeps its HTTP status", () => {
    expect(() =>
      readEnvelope(M, 503, {
        error: "QUERY_LIMIT_EXCEEDED",
        error_description: "Too many requests",
      }),
    ).toThrow(expect.objectContaining({ code: "QUERY_LIMIT_EXCEEDED", httpStatus: 503 }));
  });

  test("a 5xx without an envelope (a proxy's page) is a transport error: maybe applied", () => {
    expect(() => readEnvelope(M, 502, "<html>Bad gateway</html>")).toThrow(Bitrix24TransportError);
  });

  test("a 4xx without an envelope is a definite error with the status as code", () => {
    expect(() => readEnvelope(M, 404, "<html>no</html>")).toThrow(
      expect.objectContaining({ code: "HTTP_404" }),
    );
  });
});
