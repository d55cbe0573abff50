import * as pulumi from "@pulumi/pulumi";

/**
 * setMocks never runs provider code, but it does serialize the provider into `__provider`: the text
 * Pulumi stores in state. It must be the thin shim, with no credential captured.
 */
describe("serialized provider", () => {
  const secrets = {
    BITRIX24_CLIENT_SECRET: "client-secret-that-must-not-leak",
    BITRIX24_REFRESH_TOKEN: "refresh-token-that-must-not-leak",
    BITRIX24_ACCESS_TOKEN: "access-token-that-must-not-leak",
    BITRIX24_PORTAL_URL: "https://example.bitrix24.com",
    BITRIX24_CLIENT_ID: "app.id",
  };
  const serialized: string[] = [];
  const connectorArgs = (title: string) => ({
    title,
    logo: "https://example.com/logo.png",
    urlCheck: "https://e.com/check",
    urlTableList: "https://e.com/tables",
    urlTableDescription: "https://e.com/describe",
    urlData: "https://e.com/data",
    settings: [{ name: "Login", code: "login", type: "STRING" as const }],
  });
  const states: Record<string, unknown>[] = [];

  beforeAll(() => {
    Object.assign(process.env, secrets);
    pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          serialized.push(String(args.inputs.__provider));
          states.push(args.inputs);
          return { id: "42", state: { ...args.inputs, dateCreate: "2025-03-24 07:25:59" } };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
  });
  afterAll(() => {
    for (const k of Object.keys(secrets)) delete process.env[k];
  });

  test("the __provider text is the shim: loads the package by name, captures only the kind", async () => {
    // Loaded after the env holds credentials, as a user program would be.
    const { Connector } = await import("../../provider");
    // Touch the runtime in this process too, so a captured client would have credentials.
    const { envClient } = await import("../../provider/core/lifecycle/clientSource");
    expect(envClient().settings.auth.kind).toBe("oauth");
    const c = new Connector("sales", connectorArgs("Sales DB"));
    const [id, title, dateCreate] = await new Promise<[string, string, string]>((resolve) =>
      pulumi.all([c.id, c.title, c.dateCreate]).apply(([i, t, d]) => resolve([i, t, d])),
    );
    expect([id, title, dateCreate]).toEqual(["42", "Sales DB", "2025-03-24 07:25:59"]);
    expect(serialized).toHaveLength(1);
    const text = serialized[0];
    expect(text).toContain('require("pulumi-bitrix24-biconnector/runtime")');
    expect(text).toContain('kind: "connector"');
    for (const v of Object.values(secrets)) expect(text).not.toContain(v);
    expect(JSON.stringify(states)).not.toMatch(/must-not-leak/);
    // Small: a shim, not the provider's code — and every byte is paid per resource per step (the
    // engine rewrites the state after each), twice (inputs and outputs). 2,669 bytes before issue
    // 38; installed under node_modules it is a `require` (tests/integration/installedShim.test.ts).
    expect(text.length).toBeLessThan(2300);
  });

  test("every resource of a kind shares one shim, so it is serialized once, not once per resource (issue 38)", async () => {
    // Out of an installed package (here: a checkout) the SDK's serializer writes the shim's code.
    const spy = jest.spyOn(pulumi.runtime, "serializeFunction");
    const { Dataset } = await import("../../provider");
    const before = serialized.length;
    const made = Array.from(
      { length: 5 },
      (_, i) =>
        new Dataset(`many-${i}`, {
          sourceId: 1,
          name: `many_${i}`,
          externalCode: "t",
          externalName: "t",
          fields: [{ type: "string", name: "a", externalCode: "a" }],
        }),
    );
    await new Promise<void>((resolve) => pulumi.all(made.map((c) => c.id)).apply(() => resolve()));
    expect(serialized.length - before).toBe(5);
    expect(new Set(serialized.slice(before)).size).toBe(1);
    expect(serialized[before]).toContain('kind: "dataset"');
    // No earlier test of this file made a Dataset: the first one serializes, the other four reuse.
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });
});
