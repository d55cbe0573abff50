import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { Bitrix24DeadlineError } from "../../provider/core/errors/errors";
import { RedactedError, registerSecret } from "../../provider/core/errors/redact";
import { SettingKey } from "../../provider/core/client/settings";
import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { SourceProvider } from "../../provider/core/lifecycle/sourceProvider";
import { JsonObject } from "../../provider/core/schema/spec";
import { checked, clientWith, sampleConnector, seedConnector, tempDir } from "../helpers/portal";
import {
  Forwarded,
  Replacement,
  SwappingProxy,
  settingsThrough,
  swappingProxy,
  withListIds,
} from "./answerSwapper";
import { SECRETS, hostilePortal, json, shown } from "./hostilePortal";
import { jsWordIn, namedEncodedForms, secretRunIn } from "./arbitraries";

/**
 * Issue 23: the portal applies each request, then one answer is replaced by a bad one. Per class
 * of bad answer, a create ends with exactly one object (found again) or none — never two — and
 * every error is one of ours, naming the method, showing no secret in any form.
 */

let emu: Emulator;
let proxy: SwappingProxy;
const settingsOf = (more: Partial<Record<SettingKey, string>> = {}) =>
  settingsThrough(emu, proxy, more);
const connectorsVia = (more?: Partial<Record<SettingKey, string>>) => {
  const client = clientWith(settingsOf(more));
  return new ConnectorProvider(() => client);
};

beforeEach(async () => {
  emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true });
  proxy = await swappingProxy(emu.url);
});
afterEach(async () => {
  await proxy.close();
  await emu.close();
});

/** Replaces the answer of the requests `when` picks (by default only the first it picks). */
function swapWhen(when: (x: Forwarded) => boolean, instead: Replacement, sticky = false): void {
  let done = false;
  proxy.swap = (x) => {
    if ((done && !sticky) || !when(x)) return undefined;
    done = true;
    return instead;
  };
}
const isBatchWith = (method: string) => (x: Forwarded) =>
  x.method === "batch" && x.body.includes(`${method}?`);
const addsSent = (object: string) =>
  proxy.seen.reduce(
    (n, x) =>
      n +
      (x.method === `biconnector.${object}.add` ? 1 : 0) +
      (x.method === "batch" ? x.body.split(`biconnector.${object}.add?`).length - 1 : 0),
    0,
  );
const body = (v: unknown, status = 200) => ({ status, text: JSON.stringify(v) });

/** A connector on the sample endpoint, then a source of it; `swap` is set between the two. */
async function createSource(swap: () => void) {
  const connectors = connectorsVia();
  const c = await connectors.create(await checked(connectors, sampleConnector(emu)));
  const client = clientWith(settingsOf());
  const sources = new SourceProvider(() => client);
  const inputs = await checked(sources, {
    connectorId: c.id,
    title: "Warehouse",
    settings: { ...emu.sampleConnectorCredentials },
  });
  swap();
  return sources.create(inputs);
}

async function createConnector(p = connectorsVia()) {
  return p.create(await checked(p, { ...seedConnector }));
}

async function settle<T>(run: Promise<T>): Promise<{ ok?: T; error?: unknown }> {
  try {
    return { ok: await run };
  } catch (error) {
    return { error };
  }
}

/** Exactly one object or none; when the create succeeded, the one it names. */
function expectOneOrNone(
  objects: Map<number, unknown>,
  r: { ok?: { id: string }; error?: unknown },
): void {
  if (r.ok) {
    expect([...objects.keys()]).toEqual([Number(r.ok.id)]);
  } else {
    expect(objects.size).toBeLessThanOrEqual(1);
    expect(r.error).toBeInstanceOf(RedactedError);
  }
}

describe("1. a batch answer without the add's result: no second add, the object is found", () => {
  const bad: [string, Replacement][] = [
    ["{result:{}}", body({ result: {} })],
    ["{result:{result:{},result_error:[]}}", body({ result: { result: {}, result_error: [] } })],
    ['{result:"ok"}', body({ result: "ok" })],
    ["a 301 with a body", body({ result: {} }, 301)],
    ["a 900 KB body", { status: 200, text: `{"result":${" ".repeat(900 * 1024)}` }],
  ];
  for (const [name, answer] of bad)
    test(`connector: ${name}`, async () => {
      swapWhen(isBatchWith("biconnector.connector.add"), answer);
      const r = await settle(createConnector());
      expect(r.error).toBeUndefined();
      expectOneOrNone(emu.state.connectors, r);
      expect(addsSent("connector")).toBe(1);
    });

  test("source: {result:{}}", async () => {
    const r = await settle(
      createSource(() => swapWhen(isBatchWith("biconnector.source.add"), body({ result: {} }))),
    );
    expect(r.error).toBeUndefined();
    expectOneOrNone(emu.state.sources, r);
    expect(addsSent("source")).toBe(1);
  });
});

describe("2-3. the look for what a lost add made fails: nothing is added again", () => {
  test("every add and list answered {result:{}}: one add sent, the create fails saying why", async () => {
    swapWhen(
      (x) =>
        isBatchWith("biconnector.connector.add")(x) || x.method === "biconnector.connector.list",
      body({ result: {} }),
      true,
    );
    const r = await settle(createConnector());
    expect(r.error).toBeInstanceOf(RedactedError);
    expect(String((r.error as Error).message)).toMatch(/not sent again/);
    expect(String((r.error as Error).message)).toMatch(/biconnector\.connector\.list/);
    expect(addsSent("connector")).toBe(1);
    expect(emu.state.connectors.size).toBe(1);
  });

  test("answers over the size limit, sticky: add and the reconciliation list both 1.1 MB", async () => {
    const big = { status: 200, text: `{"result":"${"x".repeat(1100 * 1024)}"}` };
    swapWhen(
      (x) =>
        isBatchWith("biconnector.connector.add")(x) || x.method === "biconnector.connector.list",
      big,
      true,
    );
    const r = await settle(
      createConnector(connectorsVia({ maxResponseBytes: String(1024 * 1024) })),
    );
    expect(r.error).toBeInstanceOf(RedactedError);
    expect(addsSent("connector")).toBe(1);
    expect(emu.state.connectors.size).toBe(1);
  });
});

describe("4. a portal that contradicts itself: applied, and answered an error", () => {
  test("an error that is never retried (400 X) after applying the add: the object is taken, not orphaned", async () => {
    swapWhen(
      isBatchWith("biconnector.connector.add"),
      body({ error: "X", error_description: "x" }, 400),
    );
    const r = await settle(createConnector());
    expect(r.error).toBeUndefined();
    expectOneOrNone(emu.state.connectors, r);
    expect(addsSent("connector")).toBe(1);
  });

  test("401 expired_token after applying the add: one connector, found again", async () => {
    swapWhen(
      isBatchWith("biconnector.connector.add"),
      body(
        { error: "expired_token", error_description: "The access token provided has expired." },
        401,
      ),
    );
    const r = await settle(createConnector());
    expect(r.error).toBeUndefined();
    expectOneOrNone(emu.state.connectors, r);
    expect(addsSent("connector")).toBe(1);
    expect(proxy.count("oauth/token")).toBe(1);
  });

  test("a batch with both result.c0 and result_error.c0 (ERROR_BATCH_METHOD_NOT_ALLOWED)", async () => {
    proxy.swap = (x) => {
      if (!isBatchWith("biconnector.connector.add")(x) || proxy.count("batch") > 1)
        return undefined;
      const real = JSON.parse(x.answer) as { result: { result_error: unknown } };
      real.result.result_error = {
        c0: {
          error: "ERROR_BATCH_METHOD_NOT_ALLOWED",
          error_description: "Method not allowed by batch",
        },
      };
      return body(real);
    };
    const r = await settle(createConnector());
    expect(r.error).toBeUndefined();
    expectOneOrNone(emu.state.connectors, r);
    expect(addsSent("connector")).toBe(1);
  });

  test("a source add applied and answered SOURCE_CREATE_CONNECTION_ERROR", async () => {
    const refused = {
      error: {
        error: "SOURCE_CREATE_CONNECTION_ERROR",
        error_description: "Cannot create connection.",
      },
    };
    const r = await settle(
      createSource(() =>
        swapWhen(
          isBatchWith("biconnector.source.add"),
          body({ result: { result: { c0: refused }, result_error: [] } }),
        ),
      ),
    );
    expect(r.error).toBeUndefined();
    expectOneOrNone(emu.state.sources, r);
    expect(addsSent("source")).toBe(1);
  });
});

test("5. an add answered with an id the portal does not have: the real object is found", async () => {
  proxy.swap = (x) => {
    if (!isBatchWith("biconnector.connector.add")(x) || proxy.count("batch") > 1) return undefined;
    const real = JSON.parse(x.answer) as { result: { result: JsonObject } };
    real.result.result.c0 = { id: 77 };
    return body(real);
  };
  const r = await settle(createConnector());
  expect(r.error).toBeUndefined();
  expect(r.ok?.id).not.toBe("77");
  expectOneOrNone(emu.state.connectors, r);
  expect(addsSent("connector")).toBe(1);
});

// ---- secrets, crashes and messages: a scripted portal answering every call the same way ----

const ACCESS = "acc/ess+tok=en-5e1d0c2b9a8f7e6d";
/** Stands for a value 20,000 arrays deep: `bodyText` writes it (JSON.stringify would overflow). */
const DEEP_MARK = "@deep@";
const bodyText = (v: unknown) =>
  JSON.stringify(v).replace(`"${DEEP_MARK}"`, `${"[".repeat(20000)}1${"]".repeat(20000)}`);

async function failingGet(answer: unknown, status = 400): Promise<unknown> {
  const portal = await hostilePortal((x, res) => {
    if (x.method === "oauth/token")
      return json(res, { access_token: ACCESS, refresh_token: "r-0123456789" });
    json(res, bodyText(answer), status);
  });
  try {
    const client = clientWith(portal.settings({ accessToken: ACCESS, operationTimeoutMs: "1500" }));
    return (await settle(client.call("biconnector.connector.get", { id: 5 }))).error;
  } finally {
    await portal.close();
  }
}

/** Each kind of secret the provider registers (tokens, client and webhook secrets, source settings). */
const SECRET_KINDS = {
  "access token": ACCESS,
  "refresh token": 'ref"resh/tok en-51c0aa9e77d2b4f8',
  "client secret": "cli+ent/sec&ret-c3b9e1d7f5a2",
  "webhook secret": "whk0s3cr3t9x8y7z",
  "source password": "p<ss>w'rd&1234",
};

describe("6-7. secrets in encoded forms, and straddling the cut", () => {
  beforeAll(() => Object.values(SECRET_KINDS).forEach(registerSecret));
  for (const [kind, secret] of Object.entries(SECRET_KINDS))
    test(`an error_description holding the ${kind} base64-, hex- or HTML-encoded`, async () => {
      for (const [name, form] of Object.entries(namedEncodedForms(secret))) {
        const e = await failingGet({ error: "X", error_description: `echo: ${form} .` });
        expect(e).toBeInstanceOf(RedactedError);
        const text = shown(e);
        if (text.includes(form)) throw new Error(`the ${name} form of the ${kind} is shown`);
        expect(text).toContain("echo: *** .");
      }
    });

  test("a token straddling the 1,000-character cut of error_description leaves no part of it", async () => {
    const e = await failingGet({ error: "X", error_description: `${"y".repeat(990)}${ACCESS}` });
    const text = shown(e);
    for (let i = 0; i + 8 <= ACCESS.length; i++) expect(text).not.toContain(ACCESS.slice(i, i + 8));
  });

  test("…and the 100-character cut of error", async () => {
    const e = await failingGet({ error: `${"y".repeat(90)}${ACCESS}`, error_description: "d" });
    const text = shown(e);
    for (let i = 0; i + 8 <= ACCESS.length; i++) expect(text).not.toContain(ACCESS.slice(i, i + 8));
  });
});

describe("8-10. values of the wrong type, deep nesting, messages", () => {
  const object = { toString: 1 };
  const deep = DEEP_MARK;

  test("error_description as {toString:1}: our error, its text as JSON", async () => {
    const e = await failingGet({ error: "X", error_description: object });
    expect(e).toBeInstanceOf(RedactedError);
    expect((e as Error).message).toContain('{"toString":1}');
  });

  test("error_description {} and result.error.error as an object: no [object Object]", async () => {
    const a = await failingGet({ error: "X", error_description: {} });
    const b = await failingGet(
      { result: { error: { error: { code: 1 }, error_description: "d" } } },
      200,
    );
    for (const e of [a, b]) {
      expect(e).toBeInstanceOf(RedactedError);
      expect((e as Error).message).not.toContain("[object Object]");
    }
  });

  test("error_description 20,000 arrays deep: our error, no RangeError", async () => {
    const e = await failingGet({ error: "X", error_description: deep });
    expect(e).toBeInstanceOf(RedactedError);
  });

  test("operating_reset_at as {toString:1}: our error", async () => {
    const e = await failingGet(
      {
        error: "OPERATION_TIME_LIMIT",
        error_description: "x",
        time: { operating_reset_at: object },
      },
      429,
    );
    expect(e).toBeInstanceOf(RedactedError);
  });

  for (const [name, items] of [
    ["a list item's id as {toString:1}", [{ id: object, title: "x" }]],
    ["a list item's id 20,000 arrays deep", [{ id: deep, title: "x" }]],
    ["a field of a list item 20,000 arrays deep", [{ id: 1, title: deep }]],
  ] as const)
    test(`${name}: lookups and reconciliation fail with our error`, async () => {
      const portal = await hostilePortal((x, res) => {
        if (x.method === "oauth/token")
          return json(res, { access_token: ACCESS, refresh_token: "r-0123456789" });
        if (x.method === "batch") return void res.socket?.destroy(); // the add's answer is lost
        json(res, bodyText({ result: items }));
      });
      try {
        const settings = portal.settings({ accessToken: ACCESS, operationTimeoutMs: "1500" });
        const lookup = await settle(new ConnectorProvider().lookupAll(clientWith(settings)));
        expect(lookup.error).toBeInstanceOf(RedactedError);
        const client = clientWith(settings);
        const p = new ConnectorProvider(() => client);
        const create = await settle(p.create(await checked(p, { ...seedConnector })));
        expect(create.error).toBeInstanceOf(RedactedError);
      } finally {
        await portal.close();
      }
    });

  test("a batch command's error as {toString:1}: every call of the batch fails with our error, none floats", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    const portal = await hostilePortal((x, res) => {
      if (x.method === "oauth/token")
        return json(res, { access_token: ACCESS, refresh_token: "r-0123456789" });
      json(res, {
        result: {
          result: { c0: { error: object } },
          result_error: { c1: { error: object, error_description: object } },
        },
      });
    });
    try {
      const op = clientWith(
        portal.settings({ accessToken: ACCESS, operationTimeoutMs: "800" }),
      ).operation();
      const results = await Promise.allSettled([
        op.callCoalesced("biconnector.connector.get", { id: 1 }),
        op.callCoalesced("biconnector.connector.get", { id: 2 }),
      ]);
      for (const r of results) {
        expect(r.status).toBe("rejected");
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RedactedError);
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await portal.close();
    }
  });

  test("a token answer with expires_in {toString:1} is read; one with an empty refresh_token is refused, nothing saved", async () => {
    let refresh = "";
    let expiresIn: unknown = object;
    const portal = await hostilePortal((x, res) => {
      if (x.method === "oauth/token")
        return json(res, {
          access_token: "a-fresh-0123456789",
          refresh_token: refresh,
          expires_in: expiresIn,
        });
      json(res, { result: { item: { id: 5, ...seedConnector } } });
    });
    try {
      const store = `${tempDir("b24-empty-")}/tokens.json`;
      const settings = portal.settings({ accessToken: "", tokenStore: store });
      refresh = "r-fresh-0123456789";
      const ok = await settle(clientWith(settings).call("biconnector.connector.get", { id: 5 }));
      expect(ok.error).toBeUndefined();
      refresh = "";
      expiresIn = 3600;
      const other = portal.settings({
        accessToken: "",
        tokenStore: `${tempDir("b24-empty-")}/t.json`,
      });
      const e = (await settle(clientWith(other).call("biconnector.connector.get", { id: 5 })))
        .error;
      expect(e).toBeInstanceOf(RedactedError);
      expect((e as Error).message).toMatch(/oauth\/token.*empty refresh_token.*nothing was saved/);
      // the store holds no empty token (it may hold the configured pair it started from)
      const fs = await import("fs");
      const stored = fs.existsSync(other.tokenStore!)
        ? fs.readFileSync(other.tokenStore!, "utf8")
        : "";
      expect(stored).not.toMatch(/"refreshToken":\s*""/);
      expect(stored).not.toContain("a-fresh-0123456789");
    } finally {
      await portal.close();
    }
  });

  test("a deadline error after many answered requests counts them and names the last error", async () => {
    const portal = await hostilePortal((x, res) => {
      if (x.method === "oauth/token")
        return json(res, { access_token: ACCESS, refresh_token: "r-0123456789" });
      json(res, { error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests" }, 503);
    });
    try {
      const client = clientWith(
        portal.settings({ accessToken: ACCESS, operationTimeoutMs: "600", retryBaseDelayMs: "5" }),
      );
      const op = client.operation();
      const e = (
        await settle(
          Promise.all([
            op.callCoalesced("biconnector.connector.get", { id: 1 }),
            op.callCoalesced("biconnector.connector.get", { id: 2 }),
          ]),
        )
      ).error;
      expect(e).toBeInstanceOf(Bitrix24DeadlineError);
      const d = e as Bitrix24DeadlineError;
      expect(d.attempts).toBeGreaterThan(3);
      // every request the portal answered, and at most one more that the deadline cut before it
      // reached the portal
      expect(d.attempts).toBeGreaterThanOrEqual(portal.exchanges.length);
      expect(d.attempts).toBeLessThanOrEqual(portal.exchanges.length + 1);
      expect(d.lastCode).toBe("QUERY_LIMIT_EXCEEDED");
    } finally {
      await portal.close();
    }
  });
});

// ---- issue 32: the last classes the answer fuzz found ----

describe("11. the look after a lost add meets ids it cannot read: nothing is added again", () => {
  const unreadable: [string, unknown][] = [
    ["an object with toString and valueOf", { toString: 1, valueOf: 1 }],
    ["an array", [1]],
    ["a numeric string with spaces", " 1 "],
    ["a float", 1.5],
  ];
  for (const [name, id] of unreadable)
    test(`${name}: the create fails saying nothing was sent again; one connector`, async () => {
      let addFailed = false;
      proxy.swap = (x) => {
        if (!addFailed && isBatchWith("biconnector.connector.add")(x)) {
          addFailed = true;
          return { status: 502, text: "bad gateway" };
        }
        const isList =
          x.method === "biconnector.connector.list" ||
          (x.method === "batch" && x.body.includes("biconnector.connector.list?"));
        if (addFailed && isList)
          return { status: 200, text: withListIds(x.answer, id) ?? x.answer };
        return undefined;
      };
      const r = await settle(createConnector());
      expect(r.error).toBeInstanceOf(RedactedError);
      const message = (r.error as Error).message;
      expect(message).toMatch(/not sent again/);
      expect(message).toMatch(/biconnector\.connector\.list/);
      expect(addsSent("connector")).toBe(1);
      expect(emu.state.connectors.size).toBe(1);
    });
});

describe("12. a token server echoing the request body percent-encoded twice, hex in lower case", () => {
  const lower = (t: string) => t.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  const twice = (s: string) =>
    encodeURIComponent(new URLSearchParams({ v: s }).toString().slice(2));
  test("no run of 8 characters of the client secret or refresh token in any rendering", async () => {
    const echo =
      `grant_type%3drefresh_token%26client_id%3dlocal.x%26client_secret%3d${twice(SECRETS.clientSecret)}` +
      `%26refresh_token%3d${lower(twice(SECRETS.refreshToken))}`;
    const portal = await hostilePortal((x, res) => {
      if (x.method === "oauth/token")
        return json(
          res,
          { error: "OVERLOAD_LIMIT", error_description: `${"y".repeat(90)}${echo} end` },
          401,
        );
      json(res, { result: { item: { id: 5, ...seedConnector } } });
    });
    try {
      const settings = portal.settings({
        accessToken: "",
        tokenStore: `${tempDir("b24-echo-")}/t.json`,
        operationTimeoutMs: "1500",
      });
      const e = (await settle(clientWith(settings).call("biconnector.connector.get", { id: 5 })))
        .error;
      expect(e).toBeInstanceOf(RedactedError);
      const text = `${shown(e)}\n${String(e)}`;
      for (const s of [SECRETS.clientSecret, SECRETS.refreshToken]) {
        const forms = [s, ...Object.values(namedEncodedForms(s))];
        expect(secretRunIn(text, forms)).toBeUndefined();
      }
      expect(text).toContain("OVERLOAD_LIMIT");
    } finally {
      await portal.close();
    }
  });

  test("every named encoded form of each kind of secret, inside a longer text, is redacted whole", () => {
    Object.values(SECRET_KINDS).forEach(registerSecret);
    for (const [kind, secret] of Object.entries(SECRET_KINDS))
      for (const [name, form] of Object.entries(namedEncodedForms(secret))) {
        const e = new RedactedError(`before ${form} after`);
        const run = secretRunIn(shown(e), [secret, ...Object.values(namedEncodedForms(secret))]);
        if (run) throw new Error(`the ${name} form of the ${kind} shows "${run}"`);
      }
  });
});

describe("13. messages say what came in words, never in JavaScript's", () => {
  const cases: [string, unknown, RegExp][] = [
    ["{result:{}}", { result: {} }, /the answer has no id/],
    ["an id that is an object", { result: { id: { toString: 1 } } }, /the id is an object/],
    ["an id of JSON null", { result: { id: null } }, /the id is empty/],
    ["an id of 1e400", "1e400", /the id is not a finite number/],
  ];
  for (const [name, answer, words] of cases)
    test(`an add answered ${name}`, async () => {
      const text =
        typeof answer === "string" ? `{"result":{"id":${answer}}}` : JSON.stringify(answer);
      const portal = await hostilePortal((x, res) => {
        if (x.method === "oauth/token")
          return json(res, { access_token: ACCESS, refresh_token: "r-0123456789" });
        if (x.method.endsWith(".add")) return json(res, text);
        if (x.method.endsWith(".list")) return json(res, { result: [] });
        // no `batch` on this portal: the add goes alone and meets the answer
        if (x.method === "batch")
          return json(
            res,
            { error: "ERROR_METHOD_NOT_FOUND", error_description: "Method not found!" },
            404,
          );
        json(res, { result: true });
      });
      try {
        const client = clientWith(
          portal.settings({
            accessToken: ACCESS,
            operationTimeoutMs: "1500",
            retryBaseDelayMs: "5",
          }),
        );
        const p = new ConnectorProvider(() => client);
        const r = await settle(p.create({ ...seedConnector, sort: 100 } as JsonObject));
        expect(r.error).toBeInstanceOf(RedactedError);
        const message = (r.error as Error).message;
        expect(message).toMatch(words);
        expect(jsWordIn(message, text)).toBeUndefined();
        // the portal answered the add (HTTP 200) and its list shows nothing: not sent again
        expect(message).toMatch(/not sent again/);
        expect(portal.calls("biconnector.connector.add")).toBe(1);
      } finally {
        await portal.close();
      }
    });
});

test("14. every answer from the add on is {result:[]} (the create fuzz, seed 20261206): one connector, the add not sent again", async () => {
  swapWhen(() => true, body({ result: [] }), true);
  const r = await settle(createConnector());
  expect(r.error).toBeInstanceOf(RedactedError);
  expect((r.error as Error).message).toMatch(/not sent again/);
  expect(addsSent("connector")).toBe(1);
  expect(emu.state.connectors.size).toBe(1);
});
