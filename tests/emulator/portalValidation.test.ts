/**
 * The emulator's own reading of the documented validation (its field tables, not the provider's
 * schema), pinned where it differs from what the provider checks client-side. Raw HTTP over
 * loopback, no provider.
 */
import axios from "axios";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";

const http = axios.create({ validateStatus: () => true, timeout: 10_000 });

const connectorFields = {
  title: "Sales",
  logo: "data:image/svg+xml;base64,PHN2Zy8+",
  urlCheck: "https://c.example/check",
  urlData: "https://c.example/data",
  urlTableList: "https://c.example/tables",
  urlTableDescription: "https://c.example/describe",
  settings: [{ name: "Login", code: "login", type: "STRING" }],
};

describe("validation as the emulator reads the docs", () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startEmulator({ rateLimit: false });
  });
  afterEach(() => emu.close());
  const rest = async (method: string, body: object) =>
    (await http.post(`${emu.portalUrl}rest/${method}`, { ...body, auth: emu.tokens.accessToken }))
      .data.result;
  const errorOf = async (method: string, body: object) => (await rest(method, body))?.error?.error;

  test("*.fields items are titled with the field name (no name key), dates typed datetime", async () => {
    const { fields } = await rest("biconnector.connector.fields", {});
    expect(fields.map((f: { title: string }) => f.title).slice(0, 11)).toEqual([
      "id",
      "title",
      "logo",
      "description",
      "sort",
      "urlCheck",
      "urlData",
      "urlTableList",
      "urlTableDescription",
      "settings",
      "dateCreate",
    ]);
    expect(fields[0]).not.toHaveProperty("name");
    expect(fields[10]).toEqual({
      title: "dateCreate",
      type: "datetime",
      isRequired: true,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
    });
  });

  test("checks run in the documented order: unknown keys, then per field in schema order", async () => {
    const add = (fields: object) => errorOf("biconnector.connector.add", { fields });
    expect(await add({ nope: 1 })).toBe("VALIDATION_UNKNOWN_PARAMETERS");
    // id comes first in the schema: its read-only check fires before title is found missing.
    expect(await add({ id: 5 })).toBe("VALIDATION_READ_ONLY_FIELD");
    // logo (required) comes before dateCreate (read-only).
    expect(await add({ title: "x", dateCreate: "x" })).toBe("VALIDATION_REQUIRED_FIELD_MISSING");
    // sort's type is checked before dateCreate's read-only flag.
    expect(await add({ ...connectorFields, sort: "abc", dateCreate: "x" })).toBe(
      "VALIDATION_INVALID_FIELD_TYPE",
    );
    // is_numeric: a numeric string is an integer.
    expect(
      (await rest("biconnector.connector.add", { fields: { ...connectorFields, sort: "7" } })).id,
    ).toBeGreaterThan(0);
  });

  test("connector: duplicate setting codes, an empty logo and settings as an object are accepted; a long title is a storage error", async () => {
    const dup = await rest("biconnector.connector.add", {
      fields: {
        ...connectorFields,
        logo: "",
        settings: {
          a: { name: "Login", code: "login", type: "STRING" },
          b: { name: "Login again", code: "login", type: "INT" },
        },
      },
    });
    expect(dup.id).toBeGreaterThan(0);
    const { item } = await rest("biconnector.connector.get", { id: dup.id });
    expect(item.settings.map((s: { code: string }) => s.code)).toEqual(["login", "login"]);
    expect(item).toMatchObject({
      sort: 100,
      description: "",
      supportMapping: false,
      sourceCode: "",
    });
    expect(
      await errorOf("biconnector.connector.add", {
        fields: { ...connectorFields, title: "t".repeat(513) },
      }),
    ).toBe("BX_INVALID_VALUE");
    expect(
      await errorOf("biconnector.connector.add", { fields: { ...connectorFields, title: " " } }),
    ).toBe("BX_INVALID_VALUE");
    expect(
      await errorOf("biconnector.connector.add", {
        fields: { ...connectorFields, supportMapping: "true" },
      }),
    ).toBe("VALIDATION_INVALID_FIELD_TYPE");
  });

  test("source: `active` is type-checked (a strict boolean) and then ignored", async () => {
    await emu.close();
    emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true });
    const base = emu.sampleConnectorUrl;
    const connector = await rest("biconnector.connector.add", {
      fields: {
        ...connectorFields,
        urlCheck: `${base}/check`,
        settings: [
          { name: "Login", code: "login", type: "STRING" },
          { name: "Password", code: "password", type: "STRING" },
        ],
      },
    });
    const source = {
      title: "S",
      connectorId: connector.id,
      settings: { login: "demo", password: "demo-password" },
    };
    expect(await errorOf("biconnector.source.add", { fields: { ...source, active: "yes" } })).toBe(
      "VALIDATION_INVALID_FIELD_TYPE",
    );
    expect(
      await errorOf("biconnector.source.add", { fields: { ...source, dateCreate: "x" } }),
    ).toBe("VALIDATION_READ_ONLY_FIELD");
    const created = await rest("biconnector.source.add", { fields: { ...source, active: false } });
    const { item } = await rest("biconnector.source.get", { id: created.id });
    expect(item.connection.active).toBe(true);
  });

  test("table: externalCode over 512 characters is a storage error; an empty column list FIELDS_EMPTY", async () => {
    emu.state.connectors.set(1, { id: 1, owner: emu.app.clientId, fields: connectorFields });
    emu.state.sources.set(2, { id: 2, owner: emu.app.clientId, fields: { connectorId: 1 } });
    const table = {
      sourceId: 2,
      name: "deals",
      externalCode: "deals",
      externalName: "Deals",
      fields: [{ type: "int", name: "ID", externalCode: "id" }],
    };
    expect(
      await errorOf("biconnector.table.add", {
        fields: { ...table, externalCode: "c".repeat(513) },
      }),
    ).toBe("BX_INVALID_VALUE");
    expect(await errorOf("biconnector.table.add", { fields: { ...table, fields: [] } })).toBe(
      "FIELDS_EMPTY",
    );
    expect(await errorOf("biconnector.table.update", { id: 1, fields: { name: "other" } })).toBe(
      "VALIDATION_IMMUTABLE_FIELD",
    );
    expect((await rest("biconnector.table.add", { fields: table })).id).toBeGreaterThan(0);
  });
});
