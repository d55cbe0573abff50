import { inspect, InspectOptionsStylized } from "util";

/**
 * Every credential the process learns (webhook secret, tokens, client secret) and every source
 * setting value is registered here, and every message and field of every error this package
 * throws passes through `redact` before anyone can see it.
 *
 * The rule for short values: values of at least MIN_SECRET_LENGTH (4) characters are redacted.
 * Shorter ones (e.g. a setting `port: 5` or `ssl: "Y"`) are not: blanking every "Y" or "5" out of
 * every message would make messages unreadable, and a value that short protects nothing. Put real
 * credentials of 4 characters or more in source settings.
 */
export const MIN_SECRET_LENGTH = 4;
export const REDACTED = "***";

/** Longest form first, so that no shorter form leaves a tail of a longer one behind. */
let forms: string[] = [];
/** One pattern per secret for its percent-encoded spellings (see percentPattern). */
let patterns: RegExp[] = [];
const known = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || known.has(value)) return;
  known.add(value);
  const all = new Set([...forms, ...encodedForms(value)]);
  forms = [...all].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  patterns = [...patterns, percentPattern(value)];
}

/**
 * Every percent-encoded spelling of a value, as one pattern: each character as itself or as its
 * UTF-8 bytes percent-encoded, each byte once (`%2B`) or twice (`%252B`, a body echoed inside a
 * query or form again), hex digits in either case and any mix of cases (encoders differ: PHP's
 * urlencode writes upper case, some proxies lower case), a space also as `+` (form encoding) and
 * that `+` encoded again. Which characters an encoder leaves alone differs too, so every character
 * may come either way. The pattern holds no nested repetition: it runs in linear time.
 */
function percentPattern(value: string): RegExp {
  const hexDigit = (d: string) => (/[a-f]/i.test(d) ? `[${d.toLowerCase()}${d.toUpperCase()}]` : d);
  const byte = (b: number) => {
    const h = b.toString(16).padStart(2, "0");
    return `%(?:25)?${hexDigit(h[0])}${hexDigit(h[1])}`;
  };
  const parts = [...value].map((c) => {
    const literal = c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
    const encoded = [...Buffer.from(c, "utf8")].map(byte).join("");
    const space = c === " " ? `|\\+|${byte(0x2b)}` : "";
    return `(?:${literal}|${encoded}${space})`;
  });
  return new RegExp(parts.join(""), "g");
}

/**
 * The ways a server or proxy echoes a value back, besides percent-encoding (percentPattern): as
 * is, and inside JSON (JavaScript's escaping, and PHP's json_encode, which also escapes `/` and
 * non-ASCII as \uXXXX).
 */
function encodedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  // PHP escapes `/` unless JSON_UNESCAPED_SLASHES, non-ASCII unless JSON_UNESCAPED_UNICODE.
  const slashes = json.replace(/\//g, "\\/");
  const unicode = (t: string) =>
    t.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return [
    value,
    json,
    slashes,
    unicode(json),
    unicode(slashes),
    ...binaryForms(Buffer.from(value, "utf8")),
    ...htmlForms(value),
  ];
}

/**
 * The value's bytes as a server may print them: base64 (standard and URL-safe, with and without
 * padding) and hex (either case). A proxy that logs a body, or a portal that echoes a header, does.
 */
function binaryForms(bytes: Buffer): string[] {
  const b64 = bytes.toString("base64");
  const url = bytes.toString("base64url");
  const hex = bytes.toString("hex");
  return [
    b64,
    b64.replace(/=+$/, ""),
    url,
    `${url}${"=".repeat((4 - (url.length % 4)) % 4)}`,
    hex,
    hex.toUpperCase(),
  ];
}

/**
 * HTML-escaped, as an error page quotes it: the usual named entities with each spelling of the
 * apostrophe (PHP's htmlspecialchars writes &#039;, Python's html.escape &#x27;, others &#39;), and
 * every character that is not a letter or digit as a numeric entity (decimal, hex in either case),
 * as encoders that escape everything do.
 */
function htmlForms(value: string): string[] {
  const named: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
  const apostrophes = ["&#39;", "&#039;", "&#x27;", "&apos;"];
  const numeric = (write: (code: number) => string) =>
    value.replace(/[^A-Za-z0-9]/g, (c) => write(c.charCodeAt(0)));
  return [
    ...apostrophes.map((a) => value.replace(/[&<>"']/g, (c) => named[c] ?? a)),
    numeric((n) => `&#${n};`),
    numeric((n) => `&#x${n.toString(16)};`),
    numeric((n) => `&#x${n.toString(16).toUpperCase()};`),
  ];
}

export function redact(text: string): string {
  let out = text;
  // Percent-encoded spellings first: a literal form inside one (a secret's unencoded part) would
  // otherwise break it up before its whole spelling is recognised.
  if (/[%+]/.test(out)) for (const p of patterns) out = out.replace(p, REDACTED);
  for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED);
  return out;
}

/**
 * Server text kept in an error field: redacted, then cut short (a 50 MB error page is no message).
 * In that order: a secret straddling the cut would otherwise be cut before it could be recognised,
 * and its first characters would stay.
 */
export function redactField(text: string, max = 1000): string {
  const clean = redact(text);
  return clean.length > max ? `${clean.slice(0, max)}… (${text.length} characters)` : clean;
}

/**
 * The base of every error this package throws. The message is redacted when the error is made;
 * subclasses call `scrub()` after setting their fields so that `code`, `reason`, `lastCode`… are
 * redacted too; and `util.inspect` (how Pulumi prints a program's error) shows only redacted text,
 * including secrets registered after the error was made and the whole `cause` chain.
 */
export class RedactedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(redact(message), options);
    this.name = new.target.name;
  }

  /** Redacts every own string field (and the stack) in place. */
  protected scrub(): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(self)) if (typeof v === "string") self[k] = redact(v);
    if (this.stack) this.stack = redact(this.stack);
  }

  [inspect.custom](_depth: number, options: InspectOptionsStylized, show: typeof inspect): string {
    const fields = Object.fromEntries(Object.entries(this));
    const plain = { ...options, customInspect: true };
    let text = this.stack ?? `${this.name}: ${this.message}`;
    if (Object.keys(fields).length) text += ` ${show(fields, plain)}`;
    if (this.cause !== undefined) text += `\n[cause]: ${show(this.cause, plain)}`;
    return redact(text);
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [k, v] of Object.entries(this)) out[k] = typeof v === "string" ? redact(v) : v;
    return out;
  }
}
