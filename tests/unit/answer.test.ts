import { Bitrix24AnswerError } from "../../provider/core/errors/errors";
import { parseId } from "../../provider/core/lifecycle/ids";
import { connectorSchema } from "../../provider/core/schema/connector";
import { datasetSchema } from "../../provider/core/schema/dataset";
import { fromApiItem } from "../../provider/core/schema/mapping";
import { sourceSchema } from "../../provider/core/schema/source";
import { seedConnector } from "../helpers/portal";

const GET = "biconnector.connector.get";
const connector = { id: 7, ...seedConnector, sort: 100, dateCreate: "2026-01-01 00:00:00" };

function refusal(run: () => unknown): Bitrix24AnswerError {
  try {
    run();
  } catch (e) {
    if (e instanceof Bitrix24AnswerError) return e;
    throw e;
  }
  throw new Error("expected a Bitrix24AnswerError");
}

describe("answers are checked where they enter (issue 10, item 6)", () => {
  test.each([
    [
      null,
      /biconnector.connector.get gave an unusable answer: expected a connector object, got an empty value/,
    ],
    [{}, /got an empty object/],
    ["<html>", /got "<html>"/],
    [[connector], /got a list/],
  ])("a get holding no object (%j) is an error naming the method", (item, message) => {
    expect(refusal(() => fromApiItem(connectorSchema, item, GET)).message).toMatch(message);
  });

  test.each([
    [{ title: 12345 }, /connector.title is number 12345, not a string/],
    [{ sort: "100abc" }, /connector.sort is "100abc", not an integer/],
    [{ supportMapping: "Y" }, /connector.supportMapping is "Y", not a boolean/],
    [{ settings: "x" }, /connector.settings is "x", not a list of objects/],
    [
      { settings: [{ code: 5, name: "a", type: "STRING" }] },
      /connector.settings\[0\].code is number 5/,
    ],
    [{ id: 2 ** 53 + 2 }, /connector.id is number 9007199254740994, not an integer within ±2\^53/],
    [{ id: "9007199254740993" }, /connector.id is "9007199254740993"/],
    [{ id: 0 }, /connector.id is number 0/],
  ])("wrong types are refused, not coerced: %j", (patch, message) => {
    expect(
      refusal(() => fromApiItem(connectorSchema, { ...connector, ...patch }, GET)).message,
    ).toMatch(message);
  });

  test("a source whose settings are not a map is refused", () => {
    const e = refusal(() =>
      fromApiItem(
        sourceSchema,
        { id: 1, title: "S", connectorId: 1, settings: "x" },
        "biconnector.source.get",
      ),
    );
    expect(e.message).toMatch(/source.settings is "x"/);
  });

  test("a well-formed item passes: ids as strings (lists), nulls where the portal keeps them", () => {
    expect(fromApiItem(connectorSchema, { ...connector, id: "7", sort: "100" }, GET)).toMatchObject(
      {
        title: "Sales DB",
        sort: 100,
      },
    );
    expect(
      fromApiItem(
        datasetSchema,
        {
          id: 3,
          name: "d",
          dateUpdate: null,
          fields: [{ id: "4", name: "ID", type: "int", externalCode: "id", visible: true }],
        },
        "biconnector.table.get",
      ),
    ).toMatchObject({ name: "d", dateUpdate: null });
  });

  test("ids beyond 2^53 are refused by parseId without quoting the value", () => {
    const e = refusal(() => parseId("90071992547409931234", "biconnector.connector.add"));
    expect(e.message).toMatch(/biconnector.connector.add.*at most 2\^53/);
    expect(e.message).not.toContain("9007199254740993");
    expect(parseId("9007199254740991", "m")).toBe(9007199254740991);
  });
});
