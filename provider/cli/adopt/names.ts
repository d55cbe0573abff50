/**
 * Resource names for adopted objects: a readable slug of the title, the id only to break a tie,
 * and kept across runs (the manifest the written project holds remembers each object's name), so
 * that a second `adopt` renames nothing.
 */

/** Cyrillic letters as Latin ones (Bitrix24 portals are often Russian-speaking). */
const CYRILLIC: Record<string, string> = Object.fromEntries([
  ["а", "a"],
  ["б", "b"],
  ["в", "v"],
  ["г", "g"],
  ["д", "d"],
  ["е", "e"],
  ["ё", "e"],
  ["ж", "zh"],
  ["з", "z"],
  ["и", "i"],
  ["й", "i"],
  ["к", "k"],
  ["л", "l"],
  ["м", "m"],
  ["н", "n"],
  ["о", "o"],
  ["п", "p"],
  ["р", "r"],
  ["с", "s"],
  ["т", "t"],
  ["у", "u"],
  ["ф", "f"],
  ["х", "kh"],
  ["ц", "ts"],
  ["ч", "ch"],
  ["ш", "sh"],
  ["щ", "shch"],
  ["ъ", ""],
  ["ы", "y"],
  ["ь", ""],
  ["э", "e"],
  ["ю", "iu"],
  ["я", "ia"],
  ["є", "ie"],
  ["і", "i"],
  ["ї", "i"],
  ["ґ", "g"],
]);

/** A title as a name: lower-case Latin letters, digits and single dashes (may be empty). */
export function slug(title: string): string {
  const latin = [...title.normalize("NFKD").toLowerCase()]
    .map((c) => CYRILLIC[c] ?? c)
    .join("")
    .replace(/[\u0300-\u036f]/g, ""); // accents, split off by NFKD
  return latin
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
}

/** The key of one object in the manifest: its kind and id on the portal. */
export const objectKey = (kind: string, id: number): string => `${kind}:${id}`;

/**
 * Names for `objects` (in a stable order): the name an earlier run gave (`kept`) stays; a new
 * object gets its title's slug, or `<kind>-<id>` when the title has no letter or digit, with
 * `-<id>` added when another object of the same kind has that name — or had it in an earlier run:
 * a name is never given to another object, since a stack may still hold it for the old one.
 */
export function assignNames(
  objects: readonly { kind: string; id: number; title: string }[],
  kept: Readonly<Record<string, string>>,
): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>(
    Object.entries(kept).map(([key, name]) => `${key.split(":")[0]}/${name}`),
  );
  for (const o of objects) {
    const name = kept[objectKey(o.kind, o.id)];
    if (name !== undefined) names.set(objectKey(o.kind, o.id), name);
  }
  for (const o of objects) {
    const key = objectKey(o.kind, o.id);
    if (names.has(key)) continue;
    const base = slug(o.title) || `${o.kind}-${o.id}`;
    let name = taken.has(`${o.kind}/${base}`) ? `${base}-${o.id}` : base;
    for (let n = 2; taken.has(`${o.kind}/${name}`); n++) name = `${base}-${o.id}-${n}`;
    names.set(key, name);
    taken.add(`${o.kind}/${name}`);
  }
  return names;
}

/**
 * A name as a variable in the written program, prefixed by its kind so that a connector and a
 * source of the same title, or a title such as `class`, never clash: `sales-db` → `connectorSalesDb`.
 */
export function identifier(kind: string, name: string): string {
  const words = name.split("-").filter(Boolean);
  return kind + words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}
