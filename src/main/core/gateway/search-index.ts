import type { ToolEntry } from './toolset';

const STOP = new Set([
  'a',
  'an',
  'the',
  'of',
  'to',
  'and',
  'or',
  'for',
  'in',
  'on',
  'with',
  'by',
  'is',
  'be',
  'this',
  'that',
  'it',
  'from',
  'as',
  'at',
]);

/** Lowercase word tokens; splits snake_case, kebab-case, camelCase and dotted names. */
export function tokenize(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => (t.length > 1 || /\d/.test(t)) && !STOP.has(t))
    .map((t) => (t.length > 4 && t.endsWith('s') && !t.endsWith('ss') ? t.slice(0, -1) : t));
}

interface Doc {
  entry: ToolEntry;
  tf: Map<string, number>;
  length: number;
}

/**
 * BM25 over each tool's name (weighted 3×), description and parameter names (2×) — a lexical
 * ranking that needs no network model. Built once per toolset and reused for every query.
 */
export class SearchIndex {
  readonly #docs: Doc[] = [];
  readonly #df = new Map<string, number>();
  readonly #avgLength: number;

  constructor(entries: readonly ToolEntry[]) {
    let total = 0;
    for (const entry of entries) {
      const params = Object.keys(
        (entry.action.inputSchema.properties as Record<string, unknown> | undefined) ?? {},
      );
      const tokens = [
        ...repeat(tokenize(`${entry.name} ${entry.action.title ?? ''}`), 3),
        ...tokenize(entry.action.description.slice(0, 2_000)),
        ...repeat(tokenize(params.join(' ')), 2),
      ];
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const t of tf.keys()) this.#df.set(t, (this.#df.get(t) ?? 0) + 1);
      this.#docs.push({ entry, tf, length: tokens.length });
      total += tokens.length;
    }
    this.#avgLength = entries.length ? total / entries.length : 1;
  }

  search(query: string, limit = 10): { entry: ToolEntry; score: number }[] {
    const terms = [...new Set(tokenize(query))];
    if (!terms.length) return [];
    const n = this.#docs.length;
    const k1 = 1.2;
    const b = 0.75;
    const idf = terms.map((t) => {
      const df = this.#df.get(t) ?? 0;
      return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    });
    const scored: { entry: ToolEntry; score: number }[] = [];
    for (const doc of this.#docs) {
      let score = 0;
      for (let i = 0; i < terms.length; i += 1) {
        const f = doc.tf.get(terms[i] as string);
        if (!f) continue;
        score +=
          (idf[i] as number) * ((f * (k1 + 1)) / (f + k1 * (1 - b + (b * doc.length) / this.#avgLength)));
      }
      if (score > 0) scored.push({ entry: doc.entry, score });
    }
    scored.sort((x, y) => y.score - x.score || (x.entry.name < y.entry.name ? -1 : 1));
    return scored.slice(0, limit);
  }
}

function repeat<T>(items: T[], times: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < times; i += 1) out.push(...items);
  return out;
}
