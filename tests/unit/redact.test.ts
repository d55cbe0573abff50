import { inspect } from "util";
import {
  Bitrix24AnswerError,
  Bitrix24ConfigError,
  Bitrix24DeadlineError,
  Bitrix24Error,
  Bitrix24TransportError,
} from "../../provider/core/errors/errors";
import { MIN_SECRET_LENGTH, redact, registerSecret } from "../../provider/core/errors/redact";

/** Every form a secret can take in an echoed request: what no error may show. */
export function leakedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    secret,
    json,
    json.replace(/\//g, "\\/"),
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
  ];
}

/** Everything a user can see of an error: message, stack, every field, util.inspect, JSON. */
function visible(e: Error): string {
  return [
    e.message,
    e.stack,
    inspect(e, { depth: 10 }),
    inspect({ wrapped: e }, { depth: 10 }),
    String(e),
    JSON.stringify(e),
    ...Object.values(e).map((v) => String(v)),
  ].join("\n");
}

const pass5 = 'pa/s"5'; // 5 characters with JSON- and URL-special ones
const token = "tok en+/=ü_" + "x".repeat(20);

describe("redaction (issue 10, item 4)", () => {
  beforeAll(() => {
    registerSecret(pass5);
    registerSecret(token);
    registerSecret("abcd");
  });

  test.each(leakedForms(pass5).concat(leakedForms(token)))(
    "the form %s of a registered secret is redacted",
    (form) => {
      expect(redact(`before ${form} after`)).toBe("before *** after");
    },
  );

  test("lower-case percent escapes and PHP's \\uXXXX escapes are redacted too", () => {
    const lower = encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
    expect(redact(lower)).toBe("***");
    expect(redact('"tok en+\\/=\\u00fc_' + "x".repeat(20) + '"')).toBe('"***"');
  });

  test(`values shorter than ${MIN_SECRET_LENGTH} characters are not registered (documented rule); 4 are`, () => {
    registerSecret("xyz");
    expect(redact("xyz")).toBe("xyz");
    expect(redact("[abcd]")).toBe("[***]");
  });

  test("every field of every error class, util.inspect and JSON show no secret form", () => {
    const echo = leakedForms(token).concat(leakedForms(pass5)).join(" | ");
    const errors: Error[] = [
      new Bitrix24Error(`m.${token}`, `CODE_${token}`, `echo: ${echo}`, 400),
      new Bitrix24TransportError("m", `reason ${echo}`, 502),
      new Bitrix24DeadlineError("m", 3, `LAST ${echo}`, 1000),
      new Bitrix24AnswerError("m", `id ${JSON.stringify(token)} ${echo}`),
      new Bitrix24ConfigError(`bad ${echo}`),
      new Error("wrapper", { cause: new Bitrix24Error("m", "X", echo, 200) }),
    ];
    for (const e of errors) {
      const text = visible(e);
      for (const form of [...leakedForms(token), ...leakedForms(pass5)])
        expect(text).not.toContain(form);
      expect(text).toContain("***");
    }
  });

  test("a secret registered after the error was made is still hidden by util.inspect", () => {
    const late = "late-secret-" + Math.random().toString(36).slice(2);
    const e = new Bitrix24TransportError("m", `echo ${late}`);
    registerSecret(late);
    expect(inspect(e)).not.toContain(late);
  });

  test("a 50 MB description is cut short in the error", () => {
    const e = new Bitrix24Error("m", "X", "y".repeat(50_000_000), 500);
    expect(e.message.length).toBeLessThan(1_200);
    expect(e.description).toMatch(/50000000 characters/);
  });
});
