import * as pulumi from "@pulumi/pulumi";

/**
 * Pulumi's wire format rebuilds objects with plain assignment, which drops a `__proto__` key before
 * the provider's check can see it: the Source refuses it in the program (issue 10, item 10).
 */
describe("Source args in the program", () => {
  beforeAll(() => {
    pulumi.runtime.setMocks(
      { newResource: (a) => ({ id: "1", state: a.inputs }), call: () => ({}) },
      "project",
      "stack",
      false,
    );
  });

  test.each(["__proto__", "constructor", "prototype"])(
    "a %s settings key throws at once with a clear message",
    async (key) => {
      const { Source } = await import("../../provider");
      const settings = JSON.parse(`{"login": "a", "${key}": "x"}`) as Record<string, string>;
      expect(() => new Source(`s-${key}`, { connectorId: 1, title: "S", settings })).toThrow(
        new RegExp(`Source s-${key}: settings key "${key}" is not allowed`),
      );
    },
  );
});
