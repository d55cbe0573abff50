import { Bitrix24Error } from "../../provider/core/errors/errors";
import { readEnvelope } from "../../provider/core/client/transport/envelope";
import { classify } from "../../provider/core/client/retry/verdicts";
import { createClient } from "../../provider/core/client/processWide";
import { HttpRequest, HttpResponse } from "../../provider/core/client/transport/transport";
import { parseId } from "../../provider/core/lifecycle/ids";
import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { SourceProvider, sourceAdapter } from "../../provider/core/lifecycle/sourceProvider";
import { datasetAdapter } from "../../provider/core/lifecycle/datasetProvider";
import { connectorSchema } from "../../provider/core/schema/connector";
import { datasetSchema } from "../../provider/core/schema/dataset";
import { fromApiItem } from "../../provider/core/schema/mapping";
import { sourceSchema } from "../../provider/core/schema/source";
import { JsonObject, JsonValue, isJsonObject } from "../../provider/core/schema/spec";
import { fakeTransport, methodOf, portalScript } from "../helpers/fakeTransport";
import { recorded, recordedNames } from "../helpers/recorded";
import { testSettings } from "../helpers/settings";

/** What the client makes of a recorded answer: the `result`, or the error it throws. */
function replay(name: string, method: string): JsonValue {
  const { httpStatus, body } = recorded(name);
  return readEnvelope(method, httpStatus, body);
}

function replayError(name: string, method: string): Bitrix24Error {
  try {
    replay(name, method);
  } catch (e) {
    if (e instanceof Bitrix24Error) return e;
    throw e;
  }
  throw new Error(`${name}: read as a success`);
}

function item(result: JsonValue): JsonObject {
  if (!isJsonObject(result) || !isJsonObject(result.item)) throw new Error("no result.item");
  return result.item;
}

function listItems(result: JsonValue): JsonObject[] {
  if (!Array.isArray(result)) throw new Error("list result is not an array");
  return result.filter(isJsonObject);
}

// The adapters' itemFromGet for sources ignores the client; the dataset's asks the list only
// when the previous state lacks sourceId, which these tests always give.
const noClient = undefined as never;
const tableMethods = {
  add: "biconnector.table.add",
  get: "biconnector.table.get",
  list: "biconnector.table.list",
  update: "biconnector.table.update",
  delete: "biconnector.table.delete",
};

describe("recorded answers from the Bitrix24 docs, read by the client", () => {
  test("every recorded answer names its doc page and commit, a status and a body", () => {
    const names = recordedNames();
    expect(names.length).toBeGreaterThanOrEqual(20);
    for (const name of names) {
      const r = recorded(name);
      expect(r.source).toMatch(/^[\w./-]+\.md@[0-9a-f]{8}$/);
      expect(r.note.length).toBeGreaterThan(10);
      expect([200, 400, 401, 403, 404, 429, 500, 503]).toContain(r.httpStatus);
      expect(isJsonObject(r.body)).toBe(true);
    }
  });

  test("connector.get: the item becomes exactly the outputs the connector schema describes", () => {
    const got = item(replay("biconnector.connector.get", "biconnector.connector.get"));
    expect(parseId(got.id, "get")).toBe(5);
    expect(fromApiItem(connectorSchema, got)).toEqual({
      title: "SUPER REST CONNECTOR",
      logo: "https://masterpiecer-images.s3.amazonaws.com/5fd531dca6427c7:upscaled",
      description: "Connector with token",
      sort: 100,
      urlCheck: "http://app.domain/check",
      urlData: "http://app.domain/data",
      urlTableList: "http://app.domain/table_list",
      urlTableDescription: "http://app.domain/table_description",
      settings: [
        { name: "Login", type: "STRING", code: "login" },
        { name: "Password", type: "STRING", code: "password" },
      ],
      // This doc revision's example omits the two newer fields: the schema's defaults stand in.
      supportMapping: false,
      sourceCode: "",
      dateCreate: "2025-03-24 07:25:59",
    });
  });

  test("connector.fields: every documented field is a field of the connector schema", () => {
    const result = replay("biconnector.connector.fields", "biconnector.connector.fields");
    const documented = (isJsonObject(result) && Array.isArray(result.fields) ? result.fields : [])
      .filter(isJsonObject)
      .map((f) => String(f.title));
    expect(documented).toHaveLength(11);
    const declared = connectorSchema.fields.map((f) => f.name as string);
    expect(documented.filter((n) => !declared.includes(n))).toEqual([]);
  });

  test.each([
    ["biconnector.connector.list", [11, 9]],
    ["biconnector.source.list", [11, 10]],
    ["biconnector.dataset.list", [9, 6, 5]],
    ["biconnector.table.list", [9, 6, 5]],
  ])("%s: a bare array; ids as strings or numbers both read as integers", (name, ids) => {
    const items = listItems(replay(name, name));
    expect(items.map((i) => parseId(i.id, name))).toEqual(ids);
  });

  test("connector.list: list items map like get items (what the lookups return)", () => {
    const [first] = listItems(replay("biconnector.connector.list", "biconnector.connector.list"));
    expect(fromApiItem(connectorSchema, first)).toEqual({
      title: "MyConnector_2",
      urlCheck: "https://new_example.com/check",
      dateCreate: "2025-03-24 07:25:59",
      description: "",
      sort: 100,
      supportMapping: false,
      sourceCode: "",
    });
  });

  test.each([
    ["biconnector.connector.add", 4],
    ["biconnector.source.add", 7],
    ["biconnector.dataset.add", 10],
  ])("%s: the new id", (name, id) => {
    const result = replay(name, name);
    expect(parseId(isJsonObject(result) ? result.id : undefined, name)).toBe(id);
  });

  test.each([
    "biconnector.connector.update",
    "biconnector.connector.delete",
    "biconnector.source.update",
    "biconnector.source.delete",
  ])("%s: true", (name) => {
    expect(replay(name, name)).toBe(true);
  });

  test("source.get: the source nested under `connection` becomes flat outputs; settings a map", async () => {
    const result = replay("biconnector.source.get", "biconnector.source.get");
    const flat = await sourceAdapter.itemFromGet?.(result, undefined, noClient, noClient);
    expect(fromApiItem(sourceSchema, flat)).toEqual({
      title: "Rest source SQL",
      type: "rest",
      code: "rest_1",
      description: "Connection for working with mySql",
      active: true,
      dateCreate: "2025-03-20 14:50:06",
      dateUpdate: "2025-03-20 14:50:06",
      createdById: 1,
      updatedById: 1,
      connectorId: 1,
      settings: { token: "beliberda" },
    });
    expect(flat?.id).toBe(6);
  });

  test("source.list: flat items; settings absent from the selection read as an empty map", () => {
    const [first] = listItems(replay("biconnector.source.list", "biconnector.source.list"));
    const flat = sourceAdapter.itemFromList?.(first) ?? first;
    expect(fromApiItem(sourceSchema, flat)).toEqual({
      title: "Sql_host",
      active: true,
      dateCreate: "2025-03-24 07:25:59",
      description: "",
      settings: {},
    });
  });

  test("table.get: columns as the schema keeps them; null dateUpdate kept; sourceId from state", async () => {
    const result = replay("biconnector.table.get", "biconnector.table.get");
    const flat = await datasetAdapter().itemFromGet?.(
      result,
      { sourceId: 3 },
      noClient,
      tableMethods,
    );
    expect(fromApiItem(datasetSchema, flat)).toEqual({
      sourceId: 3,
      type: "rest",
      name: "sales_orders",
      description: "Orders from an external service",
      externalCode: "sales_orders",
      externalName: "Sales orders",
      dateCreate: "2026-09-16 12:00:46",
      dateUpdate: null,
      createdById: 1,
      updatedById: 0,
      externalId: 0,
      fields: [
        { id: 43, type: "int", name: "ID", externalCode: "id", visible: true },
        { id: 45, type: "string", name: "CUSTOMER", externalCode: "customer", visible: true },
        { id: 47, type: "money", name: "AMOUNT", externalCode: "amount", visible: true },
        { id: 49, type: "date", name: "ORDER_DATE", externalCode: "order_date", visible: true },
      ],
    });
  });

  test("dataset.get (deprecated, older revision without csv keys) reads the same way", async () => {
    const result = replay("biconnector.dataset.get", "biconnector.dataset.get");
    const flat = await datasetAdapter().itemFromGet?.(
      result,
      { sourceId: 1 },
      noClient,
      tableMethods,
    );
    const outs = fromApiItem(datasetSchema, flat);
    expect(outs).toMatchObject({ name: "rest_dataset11111", externalId: 275, sourceId: 1 });
    expect(outs.fields).toHaveLength(6);
    expect((outs.fields as JsonObject[])[3]).toEqual({
      id: 227,
      type: "double",
      name: "SCORE",
      externalCode: "SCORE",
      visible: true,
    });
  });

  test("table.list without select: the only answer that carries sourceId", () => {
    const [row] = listItems(replay("biconnector.table.list.item", "biconnector.table.list"));
    expect(fromApiItem(datasetSchema, row)).toMatchObject({ sourceId: 3, name: "sales_orders" });
  });

  test.each([
    // [recorded answer, method, code, description, HTTP status, what the retry policy does]
    [
      "biconnector.table.get.error",
      "biconnector.table.get",
      "VALIDATION_ID_NOT_PROVIDED",
      "ID is missing.",
      200,
      "fail",
    ],
    [
      "biconnector.connector.get.error-root",
      "biconnector.connector.get",
      "VALIDATION_ID_NOT_PROVIDED",
      "ID is missing.",
      200,
      "fail",
    ],
    [
      "biconnector.table.list.error-order",
      "biconnector.table.list",
      "ERROR_ARGUMENT",
      'Invalid order "UPWARDS"',
      400,
      "fail",
    ],
    [
      "system-error.expired_token",
      "biconnector.source.get",
      "expired_token",
      "The access token provided has expired",
      401,
      "refresh",
    ],
    [
      "system-error.QUERY_LIMIT_EXCEEDED",
      "biconnector.connector.list",
      "QUERY_LIMIT_EXCEEDED",
      "Too many requests",
      503,
      "retry",
    ],
    [
      "system-error.NO_AUTH_FOUND",
      "biconnector.connector.get",
      "NO_AUTH_FOUND",
      "Wrong authorization data",
      401,
      "fail",
    ],
  ])(
    "%s: a Bitrix24Error with its code, method and status",
    (name, method, code, description, status, verdict) => {
      const e = replayError(name, method);
      expect({
        method: e.method,
        code: e.code,
        description: e.description,
        status: e.httpStatus,
      }).toEqual({
        method,
        code,
        description,
        status,
      });
      expect(e.message).toContain(method);
      expect(e.message).toContain(code);
      expect(classify(e)).toBe(verdict);
    },
  );
});

describe("recorded answers through a whole client (scripted transport, no sockets)", () => {
  /** The recorded answer as the transport hands it to the client. */
  const answer = (name: string) => (): HttpResponse => {
    const r = recorded(name);
    return { status: r.httpStatus, data: r.body };
  };
  const GET = "biconnector.connector.get";

  test("ConnectorProvider.read: connector.get becomes the connector's state", async () => {
    const t = fakeTransport(portalScript({ [GET]: answer("biconnector.connector.get") }));
    // Reads through `get` (reads from list pages are off): the path a read takes when pages cannot tell.
    const client = createClient(testSettings(), { transport: t, tuning: { pageReads: false } });
    const read = await new ConnectorProvider(() => client).read("5");
    expect(read.id).toBe("5");
    expect(read.props).toMatchObject({
      title: "SUPER REST CONNECTOR",
      sort: 100,
      settings: [
        { name: "Login", type: "STRING", code: "login" },
        { name: "Password", type: "STRING", code: "password" },
      ],
    });
  });

  test("SourceProvider.read: the nested source.get answer, settings as a map", async () => {
    const t = fakeTransport(
      portalScript({ "biconnector.source.get": answer("biconnector.source.get") }),
    );
    const client = createClient(testSettings(), { transport: t, tuning: { pageReads: false } });
    const read = await new SourceProvider(() => client).read("6");
    expect(read.props).toMatchObject({
      title: "Rest source SQL",
      connectorId: 1,
      code: "rest_1",
      settings: { token: "beliberda" },
    });
  });

  test("lookupAll: string ids from an older portal's list come out as integers", async () => {
    const t = fakeTransport(
      portalScript({ "biconnector.connector.list": answer("biconnector.connector.list") }),
    );
    const client = createClient(testSettings(), { transport: t });
    const all = await new ConnectorProvider(() => client).lookupAll(client);
    expect(all.map((c) => [c.id, c.title])).toEqual([
      [11, "MyConnector_2"],
      [9, "MyConnector"],
    ]);
  });

  test("expired_token: one refresh with the recorded token answer, whose new pair is used from then on", async () => {
    const refreshed = recorded("oauth.refresh").body as JsonObject;
    let gets = 0;
    const t = fakeTransport(
      portalScript({
        [GET]: () => (++gets % 2 === 1 ? answer("system-error.expired_token")() : answer(GET)()),
        token: answer("oauth.refresh"),
      }),
    );
    const client = createClient(testSettings(), { transport: t });
    await client.call(GET, { id: 5 });
    await client.call(GET, { id: 5 });
    const seen = t.requests.map((r) => [
      methodOf(r),
      (r.json as JsonObject | undefined)?.auth ?? r.form?.refresh_token,
    ]);
    expect(seen).toEqual([
      [GET, "access-token-1"],
      ["token", "refresh-token-1"],
      [GET, refreshed.access_token],
      [GET, refreshed.access_token],
      // The second refresh spends the refresh token the first answer brought.
      ["token", refreshed.refresh_token],
      [GET, refreshed.access_token],
    ]);
  });

  test("QUERY_LIMIT_EXCEEDED is retried; the recorded success answer ends the call", async () => {
    let calls = 0;
    const t = fakeTransport(
      portalScript({
        [GET]: () =>
          ++calls === 1 ? answer("system-error.QUERY_LIMIT_EXCEEDED")() : answer(GET)(),
      }),
    );
    const result = await createClient(testSettings(), { transport: t }).call(GET, { id: 5 });
    expect(item(result).title).toBe("SUPER REST CONNECTOR");
    expect(t.requests).toHaveLength(2);
  });

  /**
   * Command keys are the caller's choice: the docs' example names its commands get_user and
   * get_department; here they are put, in order, under the keys the client sent. Everything else
   * is the published answer.
   */
  function batchAnswer(name: string) {
    return (req: HttpRequest): HttpResponse => {
      const r = recorded(name);
      const sentKeys = Object.keys((req.json as { cmd: JsonObject }).cmd);
      const docKeys = ["get_user", "get_department"];
      const rename = (v: JsonValue): JsonValue =>
        isJsonObject(v)
          ? Object.fromEntries(
              Object.entries(v).map(([k, x]) => [sentKeys[docKeys.indexOf(k)] ?? k, x]),
            )
          : v;
      const body = r.body as { result: JsonObject };
      const inner = Object.fromEntries(Object.entries(body.result).map(([k, v]) => [k, rename(v)]));
      return { status: r.httpStatus, data: { ...body, result: inner } };
    };
  }

  async function runBatch(name: string): Promise<PromiseSettledResult<JsonValue>[]> {
    const t = fakeTransport(portalScript({ batch: batchAnswer(name) }));
    const op = createClient(testSettings(), { transport: t }).operation();
    const settled = await Promise.allSettled([
      op.callCoalesced("user.current", {}),
      op.callCoalesced("department.get", { ID: 1 }),
    ]);
    expect(t.requests.map(methodOf)).toEqual(["batch"]);
    return settled;
  }

  test("batch: each command gets its own result (an object, a list)", async () => {
    const [user, department] = await runBatch("batch");
    expect(user).toMatchObject({ status: "fulfilled", value: { ID: "1", NAME: "John" } });
    expect(department).toMatchObject({
      status: "fulfilled",
      value: [{ ID: "1", NAME: "DEMO", SORT: 500 }],
    });
  });

  test("batch error (halt = 0): each failed command rejects with its own method and code", async () => {
    const settled = await runBatch("batch.error");
    const errors = settled.map((s) => (s.status === "rejected" ? s.reason : s.value));
    expect(errors.map((e) => e instanceof Bitrix24Error && [e.method, e.code])).toEqual([
      ["user.current", "insufficient_scope"],
      ["department.get", "insufficient_scope"],
    ]);
  });
});
