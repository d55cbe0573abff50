import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../provider/cli";
import { readStackConfig } from "../../provider/cli/stackConfig";
import { cliSettings } from "../../provider/cli/settingsSource";
import { testIo } from "../helpers/cliIo";
import { tempDir } from "../helpers/portal";

function project(stacks: Record<string, string>): string {
  const dir = tempDir("b24-project-");
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: shop-bi\nruntime: nodejs\n");
  for (const [name, text] of Object.entries(stacks))
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
  return dir;
}

const DEV = `config:
  bitrix24:portalUrl: https://shop.bitrix24.com
  bitrix24:clientId: local.abc
  bitrix24:clientSecret:
    secure: AAABAHh4eHh4eHh4
  bitrix24:rateLimitRps: 3
  aws:region: eu-west-1
`;

describe("stack config without the Pulumi CLI", () => {
  test("the only stack file: plain bitrix24 values, secrets only as names", () => {
    const dir = project({ dev: DEV });
    const sub = path.join(dir, "src");
    fs.mkdirSync(sub);
    const c = readStackConfig(sub, undefined, { HOME: tempDir("h-") });
    expect(c.stack).toBe("dev");
    expect(c.file).toBe(path.join(dir, "Pulumi.dev.yaml"));
    expect(Object.fromEntries(c.values)).toEqual({
      portalUrl: "https://shop.bitrix24.com",
      clientId: "local.abc",
      rateLimitRps: "3",
    });
    expect([...c.secretKeys]).toEqual(["clientSecret"]);
  });

  test("several stacks: the one `pulumi stack select` recorded in the workspace file, else --stack", () => {
    const dir = project({
      dev: DEV,
      prod: "config:\n  bitrix24:portalUrl: https://prod.bitrix24.com\n",
    });
    const home = tempDir("h-");
    expect(readStackConfig(dir, undefined, { HOME: home }).note).toMatch(
      /current stack .* unknown.*--stack/,
    );
    const hash = createHash("sha1").update(path.join(dir, "Pulumi.yaml")).digest("hex");
    fs.mkdirSync(path.join(home, ".pulumi", "workspaces"), { recursive: true });
    fs.writeFileSync(
      path.join(home, ".pulumi", "workspaces", `shop-bi-${hash}-workspace.json`),
      JSON.stringify({ stack: "organization/shop-bi/prod" }),
    );
    expect(readStackConfig(dir, undefined, { HOME: home }).values.get("portalUrl")).toBe(
      "https://prod.bitrix24.com",
    );
    expect(readStackConfig(dir, "dev", { HOME: home }).values.get("portalUrl")).toBe(
      "https://shop.bitrix24.com",
    );
  });

  test("flags, then stack config, then env; a stack secret falls back to its env variable", () => {
    const stack = readStackConfig(project({ dev: DEV }), undefined, { HOME: tempDir("h-") });
    const env = {
      BITRIX24_CLIENT_SECRET: "from-env-secret",
      BITRIX24_PORTAL_URL: "https://env.example.com",
    };
    const { get, origin } = cliSettings({ clientId: "local.flag" }, stack, env);
    expect(get("clientId")).toBe("local.flag");
    expect(origin("clientId")).toEqual({ from: "flag", name: "client-id" });
    expect(get("portalUrl")).toBe("https://shop.bitrix24.com");
    expect(get("clientSecret")).toBe("from-env-secret");
    expect(origin("clientSecret")).toEqual({ from: "env", name: "BITRIX24_CLIENT_SECRET" });
    const noEnv = cliSettings({}, stack, {});
    expect(noEnv.get("clientSecret")).toBeUndefined();
    expect(noEnv.origin("clientSecret").from).toBe("stack-secret");
  });
});

describe("command line", () => {
  test("no command: usage and exit 2; --help: exit 0; bad flags name the flag", async () => {
    const t = testIo();
    expect(await main([], t.io)).toBe(2);
    expect(t.err.join("\n")).toMatch(/Usage: bitrix24-biconnector <command>/);
    expect(await main(["--help"], testIo().io)).toBe(0);
    const bad = testIo();
    expect(await main(["login", "--port", "http"], bad.io)).toBe(2);
    expect(bad.err.join()).toMatch(/--port must be a port number/);
    const unknown = testIo();
    expect(await main(["logn"], unknown.io)).toBe(2);
    expect(unknown.err.join()).toMatch(/Unknown command "logn"/);
  });

  test("login without portal or application: what to set, exit 2", async () => {
    const t = testIo();
    expect(await main(["login", "--portal", "https://p.example.com"], t.io)).toBe(2);
    expect(t.err.join()).toMatch(/--client-id.*--client-secret/);
  });
});
