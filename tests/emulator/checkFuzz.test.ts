import fc from "fast-check";
import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { connectorSchema } from "../../provider/core/schema/connector";
import { inputFields } from "../../provider/core/schema/spec";
import { UNKNOWN } from "../../provider/core/schema/unknown";
import { Emulator } from "bitrix24-biconnector-emulator";
import { portal, seedConnector, testClient } from "../helpers/portal";

const names = inputFields(connectorSchema).map((f) => f.name);

/** Any JSON-ish value, with the awkward ones over-represented. */
const weird = fc.oneof(
  fc.constant(UNKNOWN),
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -0, 1e308),
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "\u202e",
    "💥".repeat(300),
    "x".repeat(70_000),
    "javascript:alert(1)",
    "data:image/png;base64,",
  ),
  fc.webUrl(),
  fc.array(fc.anything(), { maxLength: 5 }),
  fc.dictionary(fc.string(), fc.anything(), { maxKeys: 5 }),
);

/** A valid connector with some fields removed, replaced by odd values, or extra keys added. */
const mutated = fc
  .record({
    drop: fc.subarray(names),
    replace: fc.dictionary(fc.constantFrom(...names), weird, { maxKeys: 4 }),
    extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), weird, { maxKeys: 2 }),
    settings: fc.option(
      fc.array(
        fc.record(
          {
            name: weird,
            code: weird,
            type: fc.oneof(weird, fc.constantFrom("STRING", "INT", "string")),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
    ),
  })
  .map(({ drop, replace, extra, settings }) => {
    const o: Record<string, unknown> = { ...seedConnector, ...extra, ...replace };
    for (const d of drop) delete o[d];
    if (settings) o.settings = settings;
    return o;
  });

describe("check() fuzz", () => {
  let emu: Emulator;
  beforeAll(async () => {
    ({ emu } = await portal());
  });
  afterAll(() => emu.close());

  test("300 malformed inputs: each a clear failure or a valid input, never a crash, never an API call", async () => {
    const p = new ConnectorProvider(testClient);
    let failed = 0;
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, weird), async (news) => {
        const r = await p.check({}, news as never);
        if (r.failures && r.failures.length) {
          failed++;
          for (const f of r.failures) {
            expect(typeof f.property).toBe("string");
            expect(f.reason).toMatch(/\S/);
            expect(f.reason.length).toBeLessThan(500); // a huge input is described, not echoed
          }
        } else {
          valid++;
          // valid means: a second check of the normalized inputs agrees
          expect((await p.check({}, r.inputs as never)).failures).toBeUndefined();
        }
      }),
      { numRuns: 300, seed: 42 },
    );
    expect(failed + valid).toBe(300);
    expect(failed).toBeGreaterThan(200);
    expect(emu.calls).toEqual([]);
  });
});
