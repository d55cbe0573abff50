import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

const EXAMPLE = path.resolve(__dirname, "..", "..", "examples", "connector-check");

describe("examples/connector-check under mocks (the command plugin is not available here)", () => {
  test("the Command runs after the connector, on its urlCheck, with the password secret", async () => {
    const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const state = args.type.startsWith("command:")
            ? { ...args.inputs, stdout: "checked" }
            : args.inputs;
          return { id: `${args.name}-id`, state };
        },
        call: () => ({}),
      },
      "bitrix24-connector-check",
      "dev",
      false,
    );
    pulumi.runtime.setAllConfig(
      {
        "bitrix24-connector-check:endpointBaseUrl": "https://endpoint.example.com",
        "bitrix24-connector-check:checkLogin": "demo",
        "bitrix24-connector-check:checkPassword": "s3cret-pass",
      },
      ["bitrix24-connector-check:checkPassword"],
    );
    const program = await import(path.join(EXAMPLE, "index.ts"));
    const stdout = await new Promise((resolve) =>
      (program.endpointCheck as pulumi.Output<string>).apply(resolve),
    );
    expect(stdout).toBe("checked");
    expect(registered.map((r) => r.type)).toEqual([
      "pulumi-nodejs:dynamic/bitrix24:Connector",
      "command:local:Command",
    ]);
    const cmd = registered[1].inputs;
    expect(cmd.create).toBe(
      `node ${path.join(EXAMPLE, "check-endpoint.js")} https://endpoint.example.com/check`,
    );
    expect(cmd.triggers).toEqual(["https://endpoint.example.com/check"]);
    // The secret password makes the whole environment a secret (the SDK's secret marker).
    expect(cmd.environment).toEqual({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: { CONNECTION_LOGIN: "demo", CONNECTION_PASSWORD: "s3cret-pass" },
    });
    expect(String(cmd.create)).not.toContain("s3cret-pass");
  });
});
