import fc from "fast-check";
import { ALL_SECRET_FORMS, Body, envelope, jsWordIn, rawText, value } from "./arbitraries";
import { RedactedError, registerSecret } from "../../provider/core/errors/redact";
import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { JsonObject } from "../../provider/core/schema/spec";
import { clientWith, seedConnector, tempDir, testClient, useSettings } from "../helpers/portal";
import { HostilePortal, SECRETS, hostilePortal, json, ok, shown } from "./hostilePortal";
import { createClient } from "../../provider/core/client/processWide";
import { layeredSource, resolveSettings } from "../../provider/core/client/settings";

/**
 * Generated answer bodies (wrong types, missing keys, nulls, huge numbers, deep nesting,
 * `__proto__` keys, HTML, truncated JSON, echoed secrets) for get, list, add, batch and the token
 * endpoint. Each operation must end (bounded by its deadline), and fail — if it fails — with one
 * of the package's errors (never a TypeError from reading a malformed answer) that shows no secret.
 */
const RUNS_PER_TARGET = 110;
const HANG_LIMIT_MS = 4_000;

/** A plausible item with some fields replaced by generated values. */
const item = fc
  .dictionary(
    fc.constantFrom("id", "title", "sort", "settings", "logo", "supportMapping", "dateCreate"),
    value,
    { maxKeys: 3 },
  )
  .map((patch) => ({ id: 5, ...seedConnector, sort: 100, ...patch }));

/** Mostly odd bodies, some well-formed (`valid`), so that both outcomes are exercised. */
const body = (inner: fc.Arbitrary<unknown>, valid: unknown): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant({ status: 200, text: JSON.stringify(valid) }) },
    {
      weight: 5,
      arbitrary: fc.record({
        status: fc.constantFrom(200, 200, 200, 200, 400, 401, 404, 429, 500, 503),
        text: fc.oneof(
          { weight: 4, arbitrary: envelope(inner).map((v) => JSON.stringify(v) ?? "null") },
          { weight: 1, arbitrary: rawText },
        ),
      }),
    },
  );

const targets: Record<string, fc.Arbitrary<Body>> = {
  get: body(
    fc.oneof(
      item.map((i) => ({ item: i })),
      value,
    ),
    {
      result: { item: { id: 5, ...seedConnector } },
    },
  ),
  list: body(fc.oneof(fc.array(item, { maxLength: 3 }), value), { result: [] }),
  add: body(fc.oneof(fc.record({ id: value }), value), { result: { id: 5 } }),
  batch: body(
    fc.oneof(
      fc.record({
        result: fc.dictionary(fc.constantFrom("c0", "c1"), value),
        result_error: fc.oneof(value, fc.dictionary(fc.constantFrom("c0", "c1"), value)),
      }),
      value,
    ),
    {
      result: {
        result: {
          c0: { item: { id: 5, ...seedConnector } },
          c1: { item: { id: 6, ...seedConnector } },
        },
        result_error: [],
      },
    },
  ),
  token: fc.record({
    status: fc.constantFrom(200, 200, 400, 401, 500),
    text: fc.oneof(
      fc.constant(
        JSON.stringify({ access_token: "fuzz-access-0001", refresh_token: "fuzz-refresh-1" }),
      ),
      fc
        .record(
          { access_token: value, refresh_token: value, expires_in: value, error: value },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      rawText,
    ),
  }),
};

const connectors = new ConnectorProvider(testClient);
const getClient = () =>
  createClient(resolveSettings(layeredSource((k) => portal.settings(fast)[k], {})), {
    isolated: true,
    tuning: { pageReads: false },
  });
const stores = tempDir("b24-fuzz-");
let storeCount = 0;
let portal: HostilePortal;
let answer: Body = { status: 200, text: "{}" };
let target = "get";
const isTarget = (method: string): boolean =>
  (target === "get" && method.endsWith(".get")) ||
  (target === "list" && method.endsWith(".list")) ||
  (target === "add" && method.endsWith(".add")) ||
  (target === "batch" && method === "batch") ||
  (target === "token" && method === "oauth/token");

beforeAll(async () => {
  // The deployment's credentials, as configured (the token target runs without an access token,
  // but a secret is a secret: it must not come back through an error either).
  for (const secret of Object.values(SECRETS)) registerSecret(secret);
  portal = await hostilePortal((x, res) => {
    if (isTarget(x.method)) {
      res.writeHead(answer.status, { "Content-Type": "application/json" });
      res.end(answer.text);
      return;
    }
    if (x.method === "oauth/token")
      return json(res, { access_token: "fresh-access-0000", refresh_token: "fresh-refresh-0000" });
    // The portal holds the connector an add makes (id 5): a create's read-back and the look after
    // a lost answer find it.
    if (x.method.endsWith(".list")) return ok(res, [{ id: 5, ...seedConnector, sort: 100 }]);
    if (x.method.endsWith(".get")) return ok(res, { item: { id: 5, ...seedConnector } });
    ok(res, true);
  });
});
afterAll(() => portal.close());

const fast = {
  retryBaseDelayMs: "5",
  requestTimeoutMs: "250",
  operationTimeoutMs: "300",
};

async function run(name: string): Promise<void> {
  switch (name) {
    case "get":
      // Connectors refresh from list pages; this target drives the `get` path itself (tables,
      // and any portal whose pages cannot tell), so page reads are off for it.
      await new ConnectorProvider(() => getClient()).read("5", { id: 5 } as JsonObject);
      return;
    case "list":
      await connectors.lookupAll(clientWith(portal.settings(fast)));
      return;
    case "add":
      await connectors.create({ ...seedConnector, sort: 100 } as JsonObject);
      return;
    case "batch": {
      const client = clientWith(portal.settings(fast));
      await Promise.all([
        client.operation().callCoalesced("biconnector.connector.get", { id: 5 }),
        client.operation().callCoalesced("biconnector.connector.get", { id: 6 }),
      ]);
      return;
    }
    case "token":
      // a token store of its own each time: a stored pair would make the refresh unnecessary
      await clientWith(
        portal.settings({
          ...fast,
          accessToken: "",
          tokenStore: `${stores}/t${++storeCount}.json`,
        }),
      ).call("biconnector.connector.get", { id: 5 });
      return;
  }
}

const counts: Record<string, { runs: number; failed: number }> = {};

describe("fuzz of answers (issue 10): never a crash, never a hang, never a secret", () => {
  for (const [name, arb] of Object.entries(targets))
    test(`${RUNS_PER_TARGET} generated ${name} answers`, async () => {
      target = name;
      useSettings(portal.settings(fast));
      counts[name] = { runs: 0, failed: 0 };
      const before = portal.exchanges.length;
      await fc.assert(
        fc.asyncProperty(arb, async (b) => {
          answer = b;
          counts[name].runs++;
          let timer: NodeJS.Timeout | undefined;
          const hang = new Promise<"hang">(
            (r) => (timer = setTimeout(() => r("hang"), HANG_LIMIT_MS)),
          );
          const outcome = await Promise.race([
            run(name).then(
              () => "ok" as const,
              (e: unknown) => e,
            ),
            hang,
          ]);
          clearTimeout(timer);
          if (outcome === "hang") throw new Error(`hung on ${JSON.stringify(b).slice(0, 200)}`);
          if (outcome === "ok") return;
          counts[name].failed++;
          // a package error, not a crash while reading the answer
          expect(outcome).toBeInstanceOf(RedactedError);
          const text = shown(outcome);
          for (const form of ALL_SECRET_FORMS) expect(text).not.toContain(form);
          // the fact, in words: no `undefined`, `NaN`, `null`… unless the answer wrote it
          const word = jsWordIn((outcome as Error).message, b.text);
          if (word) throw new Error(`"${word}" in: ${(outcome as Error).message.slice(0, 300)}`);
        }),
        { numRuns: RUNS_PER_TARGET, seed: 20261128, endOnFailure: true },
      );
      expect(counts[name].runs).toBeGreaterThanOrEqual(RUNS_PER_TARGET);
      // the generated answers reached the code under test, and some runs succeeded, some failed
      const hits = portal.exchanges.slice(before).filter((x) => isTarget(x.method)).length;
      expect(hits).toBeGreaterThanOrEqual(RUNS_PER_TARGET);
      expect(counts[name].failed).toBeGreaterThan(0);
      expect(counts[name].failed).toBeLessThan(counts[name].runs);
    }, 120_000);

  afterAll(() => {
    // The counts go to the report: how many answers per target, and how many ended in an error.
    console.log(`answer fuzz: ${JSON.stringify(counts)}`);
  });
});
