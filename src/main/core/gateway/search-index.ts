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

/** The documents that contain a term, with the term's frequency in each. */
interface Postings {
  docs: number[];
  tfs: number[];
}

/**
 * BM25 over each tool's name (weighted 3×), description and parameter names (2×) — a lexical
 * ranking that needs no network model. Built once per toolset and reused for every query; an
 * inverted index, so a query only visits the tools that contain its words.
 */
export class SearchIndex {
  readonly #entries: readonly ToolEntry[];
  readonly #lengths: Float64Array;
  readonly #postings = new Map<string, Postings>();
  readonly #avgLength: number;

  constructor(entries: readonly ToolEntry[]) {
    this.#entries = entries;
    this.#lengths = new Float64Array(entries.length);
    let total = 0;
    entries.forEach((entry, doc) => {
      const params = Object.keys(
        (entry.action.inputSchema.properties as Record<string, unknown> | undefined) ?? {},
      );
      const tokens = [
        ...repeat(tokenize(`${entry.name} ${entry.title ?? ''}`), 3),
        ...tokenize(entry.description.slice(0, 2_000)),
        ...repeat(tokenize(params.join(' ')), 2),
      ];
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, f] of tf) {
        let list = this.#postings.get(t);
        if (!list) {
          list = { docs: [], tfs: [] };
          this.#postings.set(t, list);
        }
        list.docs.push(doc);
        list.tfs.push(f);
      }
      this.#lengths[doc] = tokens.length;
      total += tokens.length;
    });
    this.#avgLength = entries.length ? total / entries.length : 1;
  }

  search(query: string, limit = 10): { entry: ToolEntry; score: number }[] {
    const terms = [...new Set(tokenize(query))];
    if (!terms.length) return [];
    const n = this.#entries.length;
    const k1 = 1.2;
    const b = 0.75;
    const scores = new Map<number, number>();
    for (const term of terms) {
      const list = this.#postings.get(term);
      if (!list) continue;
      const df = list.docs.length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < df; i += 1) {
        const doc = list.docs[i] as number;
        const f = list.tfs[i] as number;
        const norm = 1 - b + (b * (this.#lengths[doc] as number)) / this.#avgLength;
        scores.set(doc, (scores.get(doc) ?? 0) + idf * ((f * (k1 + 1)) / (f + k1 * norm)));
      }
    }
    const scored: { entry: ToolEntry; score: number }[] = [];
    for (const [doc, score] of scores) {
      if (score > 0) scored.push({ entry: this.#entries[doc] as ToolEntry, score });
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
