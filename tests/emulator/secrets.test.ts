import * as fs from "fs";
import * as util from "util";
import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { Emulator } from "bitrix24-biconnector-emulator";
import {
  oauthSettings,
  portal,
  seedConnector,
  useSettings,
  clientWith,
  testClient,
} from "../helpers/portal";

const client = clientWith;

async function message(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  return `${(e as Error).message}\n${(e as Error).stack}\n${JSON.stringify(e)}\n${util.inspect(e, { depth: 10 })}`;
}

describe("no secret in errors or outputs", () => {
  let emu: Emulator;
  let tokenStore: string;
  beforeEach(async () => {
    ({ emu, tokenStore } = await portal());
  });
  afterEach(() => emu.close());

  test("a webhook gets ACCESS_DENIED for connector methods; the error names code and method, not the secret", async () => {
    const secret = emu.webhookUrl.split("/").slice(-2)[0];
    const text = await message(
      client({ webhookUrl: emu.webhookUrl, retryBaseDelayMs: "5" }).call(
        "biconnector.connector.list",
      ),
    );
    expect(text).toMatch(/biconnector\.connector\.list failed with ACCESS_DENIED/);
    expect(text).not.toContain(secret);
    // *.fields is open to webhooks
    await expect(
      client({ webhookUrl: emu.webhookUrl }).call("biconnector.connector.fields"),
    ).resolves.toHaveProperty("fields");
  });

  test("a network failure names the method and does not leak the webhook's secret", async () => {
    const dead = "http://127.0.0.1:9/rest/1/w3bh00ks3cr3t/";
    const text = await message(
      client({ webhookUrl: dead, operationTimeoutMs: "300", retryBaseDelayMs: "5" }).call(
        "biconnector.connector.fields",
      ),
    );
    expect(text).toMatch(/biconnector\.connector\.fields/);
    expect(text).not.toContain("w3bh00ks3cr3t");
  });

  test("an error text that echoes a credential is redacted", async () => {
    const settings = oauthSettings(emu, tokenStore);
    emu.faults.inject({
      kind: "error",
      code: "BX_ERROR",
      description: `bad auth ${emu.tokens.accessToken} / ${emu.app.clientSecret}`,
    });
    const text = await message(client(settings).call("biconnector.connector.list"));
    expect(text).toMatch(/BX_ERROR/);
    expect(text).not.toContain(emu.tokens.accessToken);
    expect(text).not.toContain(emu.app.clientSecret);
  });

  test("outputs and errors of the provider hold no credential after a refresh", async () => {
    const settings = oauthSettings(emu, tokenStore);
    useSettings(settings);
    const p = new ConnectorProvider(testClient);
    emu.oauth.expireAll();
    const created = await p.create((await p.check({}, seedConnector)).inputs as never);
    const read = await p.read(created.id, created.outs);
    const stored = fs.readFileSync(tokenStore, "utf8");
    const rotated = Object.values(
      JSON.parse(stored) as Record<string, { accessToken: string; refreshToken: string }>,
    )[0];
    const everything = JSON.stringify([created, read]);
    for (const secret of [
      emu.tokens.accessToken,
      emu.tokens.refreshToken,
      emu.app.clientSecret,
      rotated.accessToken,
      rotated.refreshToken,
    ])
      expect(everything).not.toContain(secret);
  });
});
