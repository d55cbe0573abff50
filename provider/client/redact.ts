/**
 * Every credential the process learns (webhook secret, tokens, client secret) is registered here,
 * and every message this package produces passes through `redact` before anyone can see it.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  // Very short values would blank out ordinary words; real credentials are long.
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("***");
  return out;
}
