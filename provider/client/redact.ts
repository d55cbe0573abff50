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
const known = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || known.has(value)) return;
  known.add(value);
  const all = new Set([...forms, ...encodedForms(value)]);
  forms = [...all].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * The ways a server or proxy echoes a value back: as is, inside JSON (JavaScript's escaping, and
 * PHP's json_encode, which also escapes `/` and non-ASCII as \uXXXX), and URL-encoded (path or
 * query encoding with %20, form encoding with `+`, either hex case).
 */
function encodedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  // PHP escapes `/` unless JSON_UNESCAPED_SLASHES, non-ASCII unless JSON_UNESCAPED_UNICODE.
  const slashes = json.replace(/\//g, "\\/");
  const unicode = (t: string) =>
    t.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const uri = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  const out = [
    value,
    json,
    slashes,
    unicode(json),
    unicode(slashes),
    uri,
    uri.replace(/%20/g, "+"),
    form,
  ];
  for (const f of [uri, form]) out.push(f.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  return out;
}

export function redact(text: string): string {
  let out = text;
  for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED);
  return out;
}

/** Server text kept in an error field: redacted and cut short (a 50 MB error page is no message). */
export function redactField(text: string, max = 1000): string {
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
  return redact(cut);
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
