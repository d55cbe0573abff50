import { heldBy } from "../../provider/cli/orphans";

/** What `orphans` reads from `pulumi stack export` (issue 35, item 2). */
describe("the objects a stack's state holds", () => {
  const exported = (resources: object[]) => JSON.stringify({ deployment: { resources } });

  test("the native plugin's types and the dynamic provider's, by kind and id; nothing else", () => {
    const r = heldBy(
      exported([
        { type: "pulumi:pulumi:Stack", urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev" },
        { type: "pulumi:providers:bitrix24", id: "4f1c" },
        { type: "bitrix24:index:Connector", id: "17" },
        { type: "bitrix24:index:Source", id: "3" },
        { type: "pulumi-nodejs:dynamic/bitrix24:Dataset", id: "12" },
        { type: "bitrix24:index:Dataset", id: "" }, // a pending create's, no id yet
        { type: "other:index:Connector", id: "99" },
      ]),
    );
    expect([...r.held].sort()).toEqual(["connector:17", "dataset:12", "source:3"]);
    expect(r.dynamic).toBe(true);
    expect(heldBy(exported([{ type: "bitrix24:index:Connector", id: "1" }])).dynamic).toBe(false);
  });

  test("a new stack (no deployment yet) holds nothing", () => {
    expect(heldBy(JSON.stringify({ version: 3 })).held.size).toBe(0);
  });
});
