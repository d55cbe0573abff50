import { assignNames, identifier, slug } from "../../provider/cli/adopt/names";
import { Ref, SecretConfig, buildPlan } from "../../provider/cli/adopt/plan";
import { yamlProject } from "../../provider/cli/adopt/writeYaml";

/** adopt's names and plan (issue 34), in process: what every language's writer renders. */
describe("names from titles", () => {
  test.each([
    ['Sales "DB"', "sales-db"],
    ["Продажи 🚀", "prodazhi"],
    ["Café Crème", "cafe-creme"],
    ["🚀✨", ""],
    ["  --a--b--  ", "a-b"],
    ["x".repeat(80), "x".repeat(48)],
  ])("%j → %j", (title, expected) => expect(slug(title)).toBe(expected));

  test("a tie gets the id; a title without letters the kind and id; earlier names stay", () => {
    const objects = [
      { kind: "source", id: 4, title: "Main" },
      { kind: "source", id: 5, title: "Main" },
      { kind: "source", id: 6, title: "🚀" },
      { kind: "connector", id: 1, title: "Main" },
    ];
    expect(Object.fromEntries(assignNames(objects, {}))).toEqual({
      "source:4": "main",
      "source:5": "main-5",
      "source:6": "source-6",
      "connector:1": "main",
    });
    // a later run: 4 was deleted, 5 keeps the name it had, a new 7 named Main gets its id (the
    // name of 4 is never reused: a stack may still hold it)
    const again = assignNames([...objects.slice(1), { kind: "source", id: 7, title: "Main" }], {
      "source:4": "main",
      "source:5": "main-5",
      "source:6": "source-6",
    });
    expect(again.get("source:5")).toBe("main-5");
    expect(again.get("source:7")).toBe("main-7");
  });

  test("identifiers carry the kind, so names of different kinds never clash", () => {
    expect(identifier("connector", "sales-db")).toBe("connectorSalesDb");
    expect(identifier("source", "main-5")).toBe("sourceMain5");
  });
});

describe("the plan", () => {
  const objects = {
    connector: [{ id: 1, title: "Sales", sort: 100, settings: [], logo: "l" }],
    source: [
      { id: 2, title: "Main", connectorId: 1, settings: { password: "p4ss-word", "api key": "k" } },
    ],
    dataset: [],
  };

  test("references from idOf, settings from config as secrets, defaults left out", () => {
    const plan = buildPlan(objects);
    const source = plan.blocks.find((b) => b.kind === "source");
    const args = Object.fromEntries(source?.args ?? []);
    expect(args.connectorId).toEqual(new Ref("connector", "connectorSales"));
    expect(args.settings).toEqual({
      password: new SecretConfig("sourceMainPassword"),
      "api key": new SecretConfig("sourceMainApiKey"),
    });
    const connector = Object.fromEntries(plan.blocks[0].args);
    expect(connector).not.toHaveProperty("sort"); // 100, the default
    expect(plan.secrets.map((s) => s.key)).toEqual(["sourceMainPassword", "sourceMainApiKey"]);
  });

  test("no value of a secret is in what a writer renders", () => {
    const text = yamlProject(buildPlan(objects), "p")["Pulumi.yaml"];
    expect(text).not.toContain("p4ss-word");
    expect(text).toContain("password: ${sourceMainPassword}");
    expect(text).toContain("connectorId: ${connectorSales.id}");
  });

  test("a reference to an object the application cannot see is an error naming both", () => {
    expect(() =>
      buildPlan({ ...objects, source: [{ ...objects.source[0], connectorId: 9 }] }),
    ).toThrow(/source 2: its connectorId 9 is no connector this application can see/);
  });
});
