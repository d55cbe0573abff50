import fc from "fast-check";
import { SECRETS, secretForms } from "./hostilePortal";

/**
 * Generated answer parts shared by the fuzz tests: values of every JSON type (and nesting, and
 * echoed secrets), raw texts a JSON generator cannot produce, and envelopes around them.
 */
/** How a server or proxy may print a secret: base64 (also URL-safe, unpadded), hex, HTML-escaped. */
export function namedEncodedForms(secret: string): Record<string, string> {
  const bytes = Buffer.from(secret, "utf8");
  const html = secret
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
  const entities = (write: (code: number) => string) =>
    secret.replace(/[^A-Za-z0-9]/g, (c) => write(c.charCodeAt(0)));
  const uri = encodeURIComponent(secret);
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  const lower = (t: string) => t.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  // every other escape in lower case: an encoder's output mixed with a proxy's
  let n = 0;
  const mixed = (t: string) => t.replace(/%[0-9A-F]{2}/g, (h) => (n++ % 2 ? h.toLowerCase() : h));
  return {
    "percent-encoded, lowercase hex": lower(uri),
    "form-encoded, lowercase hex": lower(form),
    "percent-encoded twice": encodeURIComponent(uri),
    "percent-encoded twice, lowercase hex": lower(encodeURIComponent(uri)),
    "form-encoded twice, lowercase hex": lower(
      new URLSearchParams({ v: form }).toString().slice(2),
    ),
    "percent-encoded, hex cases mixed": mixed(uri),
    "form-encoded twice, hex cases mixed": mixed(encodeURIComponent(form)),
    base64: bytes.toString("base64"),
    "base64 unpadded": bytes.toString("base64").replace(/=+$/, ""),
    base64url: bytes.toString("base64url"),
    hex: bytes.toString("hex"),
    HEX: bytes.toString("hex").toUpperCase(),
    "html-escaped (PHP htmlspecialchars)": html.replace(/'/g, "&#039;"),
    "html-escaped (Python html.escape)": html.replace(/'/g, "&#x27;"),
    "html, every non-alphanumeric as a decimal entity": entities((n) => `&#${n};`),
    "html, every non-alphanumeric as a hex entity": entities((n) => `&#x${n.toString(16)};`),
  };
}

/**
 * Whether `text` holds a run of `min` or more consecutive characters of any of `forms` (a secret
 * in part is a secret shown): the first such run, else undefined.
 */
export function secretRunIn(text: string, forms: string[], min = 8): string | undefined {
  for (const f of forms)
    for (let i = 0; i + min <= f.length; i++) {
      const run = f.slice(i, i + min);
      if (text.includes(run)) return run;
    }
  return undefined;
}

/** JavaScript's words for values: no message of ours describes a value with them (issue 32). */
const JS_WORDS = /\b(?:undefined|NaN|null|Infinity)\b|\[object Object\]/g;

/** The first such word in `message` that the answer itself did not write, else undefined. */
export function jsWordIn(message: string, answer: string): string | undefined {
  return [...message.matchAll(JS_WORDS)].map((m) => m[0]).find((w) => !answer.includes(w));
}

/** The same forms, unnamed. */
export const encodedForms = (secret: string): string[] => Object.values(namedEncodedForms(secret));

/** Every form of every known secret a test must not find in what a user sees. */
export const ALL_SECRET_FORMS = Object.values(SECRETS).flatMap((s) => [
  ...secretForms(s),
  ...encodedForms(s),
]);

export const secretText = fc.constantFrom(...ALL_SECRET_FORMS, "plain", "");
export const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53 + 2, -1, 0, 1e308, 12345),
  fc.string({ maxLength: 30 }),
  secretText,
);
export const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom("id", "item", "error", "result", "toString", "valueOf"),
      ),
      tie("v"),
      { maxKeys: 4 },
    ),
  ),
})).v;

/** Raw texts: what a JSON generator cannot produce. */
export const rawText = fc.oneof(
  fc.constantFrom(
    "<html><body>502 Bad Gateway</body></html>",
    "42",
    '{"result":{"id":9007199254740993}}',
    '{"result":{"item":{"id":1e400}}}',
    '{"__proto__":{"result":{"id":1}},"result":{"__proto__":{"id":2}}}',
    '{"result":{"item":{"__proto__":{"polluted":true},"id":5,"title":"x"}}}',
    "[".repeat(5000) + "]".repeat(5000),
    `{"error":"X","error_description":${"[".repeat(20000)}${"]".repeat(20000)}}`,
    `{"result":[{"id":${"[".repeat(20000)}1${"]".repeat(20000)},"title":"x"}]}`,
    `{"result":{"id":{"toString":1},"item":{"id":{"toString":1}}}}`,
    "",
    "null",
    `{"error":"${SECRETS.accessToken}","error_description":"${encodeURIComponent(SECRETS.clientSecret)}"}`,
  ),
  fc.jsonValue().map((v) => {
    const t = JSON.stringify({ result: v });
    return t.slice(0, Math.max(1, Math.floor(t.length / 2))); // truncated JSON
  }),
);

export const envelope = (inner: fc.Arbitrary<unknown>) =>
  fc.oneof(
    inner.map((result) => ({ result })),
    inner.map((result) => ({ result, time: { operating_reset_at: "soon" } })),
    fc.record({ error: value, error_description: value }),
    fc.record({ result: fc.record({ error: value }) }),
    value,
  );

export interface Body {
  status: number;
  text: string;
}
