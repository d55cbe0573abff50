import * as http from "http";
import { AddressInfo } from "net";
import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { Bitrix24DeadlineError, Bitrix24Error } from "../../provider/core/errors/errors";
import { Emulator } from "bitrix24-biconnector-emulator";
import { JsonObject } from "../../provider/core/schema/spec";
import {
  oauthSettings,
  portal,
  tempDir,
  seedConnector,
  useSettings,
  clientWith,
  testClient,
} from "../helpers/portal";
import { inParallel } from "../helpers/inParallel";

const p = new ConnectorProvider(testClient);
const declared = (i: number, version = 1): JsonObject => ({
  ...seedConnector,
  title: `Connector ${i}`,
  description: `v${version}`,
});

async function check(news: JsonObject): Promise<JsonObject> {
  const r = await p.check({}, news);
  expect(r.failures).toBeUndefined();
  return r.inputs as JsonObject;
}

describe("fault injection: nothing lost, nothing duplicated, nothing failed", () => {
  let emu: Emulator;
  afterEach(() => emu.close());

  test("create, update and delete of 40 connectors (batched) while 15% of requests fail in every way, lost batch answers included", async () => {
    ({ emu } = await portal({
      randomFaults: {
        seed: 20261127,
        rate: 0.15,
        kinds: ["rateLimit", "serverError", "reset", "commitThenReset"],
      },
    }));
    const N = 40;
    const expected = new Map<number, string>(); // connector id → "title|description"
    const kinds = ["rateLimit", "serverError", "reset", "commitThenReset"] as const;
    // Rounds until every kind of fault has hit (batches are few, so one round may meet few faults).
    for (let round = 0; round < 12; round++) {
      if (round >= 2 && kinds.every((k) => emu.faults.injected[k] >= 2)) break;
      const title = (i: number) => `R${round} connector ${i}`;
      // create: in waves of 10, as the engine does at parallelism 10
      const created = await inParallel(
        Array.from({ length: N }, (_, i) => i),
        10,
        async (i) => {
          const inputs = await check({ ...declared(i), title: title(i) });
          const { id, outs } = await p.create(inputs);
          return { id, outs: outs as JsonObject, i };
        },
      );
      // update half, delete a quarter, all at once
      const updates = created.filter((c) => c.i % 2 === 0);
      const deletes = created.filter((c) => c.i % 4 === 1);
      await Promise.all([
        ...updates.map(async (c) =>
          p.update(c.id, c.outs, await check({ ...declared(c.i, 2), title: title(c.i) })),
        ),
        ...deletes.map((c) => p.delete(c.id, c.outs)),
      ]);
      const remaining = created.filter((c) => c.i % 4 !== 1);
      for (const c of remaining)
        expected.set(Number(c.id), `${title(c.i)}|v${c.i % 2 === 0 ? 2 : 1}`);
      expect(new Set(created.map((c) => c.id)).size).toBe(N);
      // refresh everything that remains, at once
      const reads = await Promise.all(remaining.map((c) => p.read(c.id, c.outs)));
      expect(reads.every((r) => r.id)).toBe(true);
    }
    const onPortal = [...emu.state.connectors.values()]
      .map((c) => `${c.id}:${c.fields.title}|${c.fields.description}`)
      .sort();
    const declaredNow = [...expected].map(([id, t]) => `${id}:${t}`).sort();
    expect(onPortal).toEqual(declaredNow); // 0 lost, 0 duplicated, every update applied

    const injected = Object.values(emu.faults.injected).reduce((a, b) => a + b, 0);
    expect(injected / emu.calls.length).toBeGreaterThanOrEqual(0.1);
    for (const kind of kinds) expect(emu.faults.injected[kind]).toBeGreaterThan(0);
    // lost answers of batches that carried adds were among them
    expect(
      emu.calls.some(
        (c) =>
          c.method === "batch" &&
          c.fault === "commitThenReset" &&
          (c.commands ?? []).some((m) => m.endsWith(".add")),
      ),
    ).toBe(true);
  }, 180_000);

  test("a storm of 503 QUERY_LIMIT_EXCEEDED is absorbed", async () => {
    ({ emu } = await portal());
    emu.faults.inject({ kind: "rateLimit", times: 40 });
    const results = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => p.create(await check(declared(i)))),
    );
    expect(results).toHaveLength(10);
    expect(emu.state.connectors.size).toBe(10);
    expect(emu.calls.filter((c) => c.status === 503)).toHaveLength(40);
  });

  test("when the deadline passes, the error names the method, the attempts and the last code", async () => {
    ({ emu } = await portal());
    const settings = {
      ...oauthSettings(emu, "/tmp/unused-token-store.json"),
      operationTimeoutMs: "400",
      retryBaseDelayMs: "20",
    };
    const client = clientWith(settings);
    emu.faults.inject({ kind: "rateLimit", times: 1000 });
    const err = await client.call("biconnector.connector.list").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Bitrix24DeadlineError);
    expect((err as Error).message).toMatch(
      /^Bitrix24 biconnector\.connector\.list did not succeed within 0\.4 s \(bitrix24:operationTimeoutMs\) after \d+ attempt\(s\); last error: QUERY_LIMIT_EXCEEDED$/,
    );
  });

  test("no retry on validation errors or ACCESS_DENIED", async () => {
    ({ emu } = await portal());
    emu.faults.inject({ kind: "error", code: "ACCESS_DENIED", description: "Access denied." });
    await expect(p.read("1")).rejects.toBeInstanceOf(Bitrix24Error);
    emu.faults.inject({ kind: "error", code: "VALIDATION_INVALID_FIELD_TYPE", description: "x" });
    await expect(p.create(await check(declared(1)))).rejects.toThrow(
      /VALIDATION_INVALID_FIELD_TYPE/,
    );
    // the read once, the add once; then one look for an object the failed add may have made
    expect(emu.calls.map((c) => c.method)).toEqual([
      "biconnector.connector.list",
      "batch",
      "biconnector.connector.list",
    ]);
  });

  test("an expired token in the middle of a busy deployment is refreshed once", async () => {
    ({ emu } = await portal());
    useSettings(oauthSettings(emu, `${tempDir("b24-faults-")}/tokens.json`));
    emu.oauth.expireAll();
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => p.create(await check(declared(i)))),
    );
    expect(emu.oauth.refreshes).toBe(1);
    expect(emu.state.connectors.size).toBe(10);
  });
});

describe("a portal that never answers (a loopback server that holds every request open)", () => {
  test("every request has its own timeout: a portal that never answers is retried, then the deadline error says so", async () => {
    // A portal that takes every request and never answers: only the client's own timeouts can end
    // the call, so it ending at all (before the test's timeout) is the bounded-time check, and no
    // assertion below depends on how fast this machine is — only on 200 ms < 3 s.
    const received: string[] = [];
    const hanging = http.createServer((req) => void received.push(String(req.url)));
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", () => r()));
    try {
      const { port } = hanging.address() as AddressInfo;
      const client = clientWith({
        webhookUrl: `http://127.0.0.1:${port}/rest/1/hanging-portal/`,
        requestTimeoutMs: "200",
        operationTimeoutMs: "3000",
        retryBaseDelayMs: "10",
      });
      const err = await client.call("biconnector.connector.list").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Bitrix24DeadlineError);
      const m =
        /connector\.list did not succeed within 3\.0 s .* after (\d+) attempt\(s\); last error: timeout after \d+ ms$/.exec(
          (err as Error).message,
        );
      expect(m).not.toBeNull();
      const attempts = Number(m?.[1]);
      expect(attempts).toBeGreaterThanOrEqual(2); // the first timeout was retried
      // Each attempt is a request of its own: several reached the portal (an attempt whose timeout
      // fires while it is still connecting never does, so the counts need not be equal).
      expect(received.length).toBeGreaterThanOrEqual(2);
      expect(received.length).toBeLessThanOrEqual(attempts);
      expect(received.every((u) => u.includes("biconnector.connector.list"))).toBe(true);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    }
  });
});
