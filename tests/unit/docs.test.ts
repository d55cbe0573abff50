import * as fs from "fs";
import * as path from "path";
import { SETTINGS } from "../../provider/core/client/settings";

/**
 * The README and docs/ (issue 37): short enough for a newcomer, no link to a missing file or
 * heading, and the settings page naming every setting the provider reads, as its schema types it.
 */
const ROOT = path.resolve(__dirname, "../..");
const PAGES = [
  "README.md",
  ...fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** Text outside fenced code blocks and inline code spans: where links are links. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The anchors of a page as GitHub makes them from headings (lower case, punctuation dropped, spaces to hyphens), and its own. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of text.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  // And anchors a page sets itself: <a id="…"></a>.
  for (const m of text.matchAll(/<a (?:id|name)="([^"]+)"/g)) out.add(m[1]);
  return out;
}

test("README.md is short: at most 250 lines, the rest in docs/", () => {
  expect(read("README.md").split("\n").length).toBeLessThanOrEqual(250);
});

test.each(PAGES)(
  "%s: every relative link points at a file that exists, and at a heading it has",
  (page) => {
    const broken: string[] = [];
    for (const m of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [file, anchor] = target.split("#");
      const resolved = file ? path.join(path.dirname(page), file) : page;
      if (!fs.existsSync(path.join(ROOT, resolved))) {
        broken.push(`${target}: no file ${resolved}`);
        continue;
      }
      if (anchor && resolved.endsWith(".md") && !anchors(read(resolved)).has(anchor))
        broken.push(`${target}: ${resolved} has no heading #${anchor}`);
    }
    expect(broken).toEqual([]);
  },
);

test("docs/installation-configuration.md names every setting: key, environment variable, the schema's type", () => {
  const page = read("docs/installation-configuration.md");
  const schema = JSON.parse(read("schema.json")) as {
    config: { variables: Record<string, { type: string; secret?: boolean }> };
  };
  const rows = new Map(
    [...page.matchAll(/^\| `(\w+)` \| `(\w+)` \| ([^|]+) \|/gm)].map((m) => [
      m[1],
      { env: m[2], type: m[3].trim() },
    ]),
  );
  for (const s of SETTINGS) {
    const v = schema.config.variables[s.key];
    expect({ key: s.key, ...rows.get(s.key) }).toEqual({
      key: s.key,
      env: s.env,
      type: `${v.type}${v.secret ? ", secret" : ""}`,
    });
  }
  expect([...rows.keys()].sort()).toEqual(SETTINGS.map((s) => s.key).sort());
});
