/**
 * Text as the matcher compares it: NFKC folds full-width letters, digits and punctuation to half-width, then
 * lower case, and anything that is not a letter or digit (punctuation, emoji, symbols) becomes one space.
 */
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(NOT_WORD, ' ').trim();
}

/** Replaces every variant of a synonym group by the group's first word, longest variants first. */
export function synonymRewriter(groups: readonly (readonly string[])[]): (text: string) => string {
  const pairs: Array<[string, string]> = [];
  for (const group of groups) {
    const words = group.map(normalise).filter(Boolean);
    const head = words[0];
    if (!head) continue;
    // The head maps to itself so a shorter variant inside it ("营业" in "营业时间") is not rewritten.
    for (const w of words) pairs.push([w, head]);
  }
  if (!pairs.length) return (text) => text;
  pairs.sort((a, b) => b[0].length - a[0].length);
  const canonical = new Map(pairs);
  const pattern = new RegExp(pairs.map(([w]) => escapeRegExp(w)).join('|'), 'g');
  return (text) => text.replace(pattern, (w) => canonical.get(w) ?? w);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Character bigrams of a text without spaces; a one-character text is its own bigram. */
export function bigrams(text: string): Set<string> {
  const chars = Array.from(text.replace(/\s+/g, ''));
  const out = new Set<string>();
  if (chars.length === 1) out.add(chars[0]!);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return out;
}

/** Dice coefficient of two bigram sets, in [0, 1]. */
export function dice(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const g of small) if (large.has(g)) shared++;
  return (2 * shared) / (a.size + b.size);
}
