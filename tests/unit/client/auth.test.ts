import { createClient } from "../../../provider/core/client/processWide";
import {
  fakeTransport,
  methodOf,
  ok,
  portalScript,
  systemError,
} from "../../helpers/fakeTransport";
import { testSettings } from "../../helpers/settings";
import { HttpRequest } from "../../../provider/core/client/transport/transport";

const LIST = "biconnector.connector.list";
const tokenAnswer = (n: number) => ({
  status: 200,
  data: {
    access_token: `access-token-${n}`,
    refresh_token: `refresh-token-${n}`,
    expires_in: 3600,
  },
});
const authOf = (r: HttpRequest) => (r.json as { auth?: string } | undefined)?.auth;

describe("auth layer", () => {
  test("webhook: the method is appended to the webhook URL, nothing added to the body", async () => {
    const t = fakeTransport(() => ok([]));
    const settings = testSettings({
      portalUrl: "",
      accessToken: "",
      refreshToken: "",
      webhookUrl: "https://hook.example.com/rest/1/webhooksecret/",
    });
    await createClient(settings, { transport: t }).call(LIST, { page: 1 });
    expect(t.requests[0].url).toBe(`https://hook.example.com/rest/1/webhooksecret/${LIST}`);
    expect(t.requests[0].json).toEqual({ page: 1 });
  });

  test("OAuth: calls go to <portal>/rest/<method> with auth=<access token> in the body", async () => {
    const t = fakeTransport(() => ok([]));
    const settings = testSettings();
    await createClient(settings, { transport: t }).call(LIST);
    expect(t.requests[0].url).toMatch(
      /^https:\/\/portal-[\d-]+\.example\.com\/rest\/biconnector\.connector\.list$/,
    );
    expect(authOf(t.requests[0])).toBe("access-token-1");
  });

  test("expired_token: one refresh (POST form to the token server), then the call repeated with the new token", async () => {
    let expired = true;
    const t = fakeTransport(
      portalScript({
        [LIST]: () => (expired ? systemError(401, "expired_token") : ok(["x"])),
        token: (req) => {
          expired = false;
          expect(req.form).toMatchObject({
            grant_type: "refresh_token",
            refresh_token: "refresh-token-1",
          });
          return tokenAnswer(2);
        },
      }),
    );
    const client = createClient(testSettings(), { transport: t });
    await expect(client.call(LIST)).resolves.toEqual(["x"]);
    expect(t.requests.map(methodOf)).toEqual([LIST, "token", LIST]);
    expect(authOf(t.requests[2])).toBe("access-token-2");
    expect(t.requests[1].url).not.toContain("refresh-token");
    expect(client.stats.refreshes).toBe(1);
  });

  test("a token still refused after one refresh is the caller's error, not a loop", async () => {
    const t = fakeTransport(
      portalScript({
        [LIST]: () => systemError(401, "expired_token"),
        token: () => tokenAnswer(2),
      }),
    );
    await expect(createClient(testSettings(), { transport: t }).call(LIST)).rejects.toMatchObject({
      code: "expired_token",
    });
    expect(t.requests.map(methodOf)).toEqual([LIST, "token", LIST]);
  });

  test("concurrent calls that meet expired_token share one refresh", async () => {
    let refreshed = false;
    const t = fakeTransport(
      portalScript({
        [LIST]: (req) =>
          authOf(req) === "access-token-2" ? ok([]) : systemError(401, "expired_token"),
        token: () => {
          refreshed = true;
          return tokenAnswer(2);
        },
      }),
    );
    const client = createClient(testSettings(), { transport: t });
    await Promise.all(Array.from({ length: 8 }, () => client.call(LIST)));
    expect(refreshed).toBe(true);
    expect(t.requests.filter((r) => methodOf(r) === "token")).toHaveLength(1);
  });
});
