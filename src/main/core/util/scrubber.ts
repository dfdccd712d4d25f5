// Masks one call's own secrets, in every encoding an upstream may echo them back in, from text and
// JSON-like values. All forms of all secrets go into one Aho–Corasick automaton, so scrubbing costs
// O(text length) however many secrets there are; a split/join loop per secret costs O(text × secrets)
// (146 ms per 130 KB body with 10,000 secrets). No imports from the project: the lowest layer.
import { Buffer } from 'node:buffer';

export interface ScrubberOptions {
  /** What each masked run becomes. Default '***'. */
  mask?: string;
  /** Secrets and encoded forms shorter than this are ignored: they would mask ordinary text. Default 6. */
  minLength?: number;
  /** Cells of the DFA table for the shallowest states (default 2^15, 128 KB). For tuning and tests. */
  denseCells?: number;
}

export interface Scrubber {
  /** How many distinct secrets (at least minLength long) this scrubber masks. */
  readonly size: number;
  /** Each maximal run covered by any form of any secret becomes one mask; a clean input comes back as is. */
  text(input: string): string;
  /** A copy of a JSON-like value, every string scrubbed (keys too); unchanged parts keep their reference. */
  value<T>(input: T): T;
  has(input: string): boolean;
}

/** Work counters, so tests can check linearity by counting rather than timing. */
export interface ScrubberStats {
  patterns: number;
  nodes: number;
  /** Automaton transitions taken so far (goto and failure links): at most 2 × characters scanned. */
  steps: number;
}

const stats = new WeakMap<Scrubber, ScrubberStats>();
export const scrubberStats = (scrubber: Scrubber): ScrubberStats | undefined => stats.get(scrubber);

/**
 * Every form in which `secret` may appear in a response, deduplicated, each at least `minLength` long.
 * HTTP Basic credentials are not special-cased: callers add `user:password` as a secret of its own, and
 * its base64 forms then cover the Authorization header value.
 */
export function encodedForms(secret: string, minLength = 6): string[] {
  if (secret.length < minLength) return [];
  const bytes = Buffer.from(secret, 'utf8');
  const hex = bytes.toString('hex');
  // JSON string bodies: quotes, backslashes and control characters escaped; some serializers also write
  // non-ASCII as \uXXXX (either hex case), and PHP escapes '/' as '\/' by default.
  const json = JSON.stringify(secret).slice(1, -1);
  const asciiJson = unicodeEscaped(json, false);
  const forms = [secret, json, asciiJson, unicodeEscaped(json, true), asciiJson.replaceAll('/', '\\/')];
  // Query strings and form bodies: encodeURIComponent, and x-www-form-urlencoded ('+' for space).
  try {
    forms.push(encodeURIComponent(secret));
  } catch {
    // A lone surrogate has no URI encoding; URLSearchParams writes it as U+FFFD instead.
  }
  forms.push(new URLSearchParams([['', secret]]).toString().slice(1));
  forms.push(hex, hex.toUpperCase(), ...base64Forms(bytes));
  return [...new Set(forms)].filter((form) => form.length >= minLength);
}

function unicodeEscaped(json: string, upper: boolean): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
    return `\\u${upper ? hex.toUpperCase() : hex}`;
  });
}

// Base64 and base64url, padded and bare. A secret inside a larger base64 blob (a token in an encoded
// JSON payload, say) starts at byte offset 0, 1 or 2 of a 3-byte group; at each offset only the
// characters that depend on the secret's bytes alone are stable, so those middles are forms too.
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (const offset of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const bare = padded.replace(/=+$/, '');
    if (offset === 0) forms.push(padded, bare);
    const head = offset === 0 ? 0 : offset + 1; // characters mixing in bytes before the secret
    const tail = (offset + bytes.length) % 3 === 0 ? 0 : 1; // the last one mixing in bytes after it
    forms.push(bare.slice(head, bare.length - tail));
  }
  return forms.flatMap((form) => [form, form.replaceAll('+', '-').replaceAll('/', '_')]);
}

export function createScrubber(secrets: Iterable<string>, options: ScrubberOptions = {}): Scrubber {
  const mask = options.mask ?? '***';
  const minLength = options.minLength ?? 6;
  const kept = new Set([...secrets].filter((s) => s.length >= minLength));
  const patterns = [...new Set([...kept].flatMap((s) => encodedForms(s, minLength)))];
  if (patterns.length === 0) {
    const empty: Scrubber = { size: 0, text: (input) => input, value: (input) => input, has: () => false };
    stats.set(empty, { patterns: 0, nodes: 1, steps: 0 });
    return empty;
  }
  const counters: ScrubberStats = { patterns: patterns.length, nodes: 0, steps: 0 };
  const scan = buildAutomaton(patterns, options.denseCells ?? 2 ** 15, counters);

  const text = (input: string): string => {
    const ranges = scan(input, false);
    if (ranges.length === 0) return input;
    let out = '';
    let at = 0;
    for (let r = 0; r < ranges.length; r += 2) {
      out += input.slice(at, ranges[r]) + mask;
      at = ranges[r + 1] ?? input.length;
    }
    return out + input.slice(at);
  };

  const scrubber: Scrubber = {
    size: kept.size,
    text,
    // The generic signature promises the input's shape back; scrubbing keeps every shape but a
    // string's contents, which the type system cannot see through `unknown`.
    value: <T>(input: T): T => scrubValue(input, text) as T,
    has: (input) => scan(input, true).length > 0,
  };
  stats.set(scrubber, counters);
  return scrubber;
}

function scrubValue(input: unknown, text: (s: string) => string): unknown {
  if (typeof input === 'string') return text(input);
  if (Array.isArray(input)) {
    const out = input.map((item) => scrubValue(item, text));
    return out.every((item, i) => item === input[i]) ? input : out;
  }
  if (input === null || typeof input !== 'object') return input;
  const proto = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null) return input; // a Date, a Buffer: not JSON-like
  let changed = false;
  const entries = Object.entries(input).map(([key, item]) => {
    const entry = [text(key), scrubValue(item, text)] as const;
    changed ||= entry[0] !== key || entry[1] !== item;
    return entry;
  });
  if (!changed) return input;
  // fromEntries defines own properties, so a key such as '__proto__' stays an ordinary key. Two keys
  // that scrub to the same masked text collapse into one: the later wins.
  const copy = Object.fromEntries(entries);
  return proto === null ? Object.assign(Object.create(null), copy) : copy;
}

/** Aho–Corasick over UTF-16 code units: a trie of all patterns plus failure links, built once. */
function buildAutomaton(patterns: string[], denseCells: number, counters: ScrubberStats) {
  // Only characters that occur in some pattern get a symbol; any other one sends the scan back to the
  // root without a lookup, which keeps the common case (no secret anywhere near) cheap.
  const ascii = new Int32Array(128);
  const wide = new Map<number, number>();
  const symbolOf = (c: number) => (c < 128 ? (ascii[c] ?? 0) : (wide.get(c) ?? 0));
  let width = 1;
  let total = 0;
  for (const p of patterns) {
    total += p.length;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (symbolOf(c) !== 0) continue;
      if (c < 128) ascii[c] = width++;
      else wide.set(c, width++);
    }
  }
  // Nodes are numbered breadth-first (below), and the shallowest ones, where a scan of ordinary text
  // spends nearly all its time, get a dense row of transitions: first their trie edges, later every
  // failure resolved (a DFA), so a step there is one array read. The root always has a row.
  const dense = Math.max(1, Math.min(total + 1, Math.floor(denseCells / width)));
  const rows = new Int32Array(dense * width);
  // Edges of deeper nodes: an open-addressing hash table, each slot [from + 1, symbol, to] in one cache
  // line (a JS Map is several times slower and larger at a million edges). 0 means no edge: none leads
  // to the root.
  const bits = Math.ceil(Math.log2((total + 2 - dense) * 1.5)); // load factor at most 2/3
  const slots = 2 ** bits - 1;
  const table = new Int32Array(3 * (slots + 1));
  const slot = (node: number, s: number) => {
    let i = Math.imul(node ^ Math.imul(s, 0x27d4eb2d), 0x9e3779b1) >>> (32 - bits);
    while (table[3 * i] !== 0 && (table[3 * i] !== node + 1 || table[3 * i + 1] !== s)) i = (i + 1) & slots;
    return 3 * i;
  };
  const child = (node: number, s: number) =>
    (node < dense ? rows[node * width + s] : table[slot(node, s) + 2]) ?? 0;

  // The trie grows one depth at a time across all patterns (longest first, so a level stops at the
  // first pattern too short for it). Every proper suffix of a new node, being shallower, already
  // exists, so its failure link is set as it is created.
  // longest[v]: the longest pattern ending at v — any shorter one ending there lies inside it.
  const fail = new Int32Array(total + 1);
  const longest = new Int32Array(total + 1);
  const sorted = [...patterns].sort((a, b) => b.length - a.length);
  const cursor = new Int32Array(sorted.length);
  let nodes = 1;
  for (let d = 0; d < (sorted[0]?.length ?? 0); d++) {
    for (let p = 0; p < sorted.length; p++) {
      const pattern = sorted[p] ?? '';
      if (pattern.length <= d) break;
      const node = cursor[p] ?? 0;
      const s = symbolOf(pattern.charCodeAt(d));
      let next = child(node, s);
      if (next === 0) {
        next = nodes++;
        if (node < dense) rows[node * width + s] = next;
        else table.set([node + 1, s, next], slot(node, s));
        let f = fail[node] ?? 0;
        while (f !== 0 && child(f, s) === 0) f = fail[f] ?? 0;
        fail[next] = node === 0 ? 0 : child(f, s);
        longest[next] = longest[fail[next] ?? 0] ?? 0;
      }
      cursor[p] = next;
      if (pattern.length === d + 1) longest[next] = d + 1;
    }
  }
  // Resolve failures in the dense rows; a node's failure is shallower, so numbered lower, so done first.
  for (let v = 1; v < Math.min(dense, nodes); v++) {
    const from = (fail[v] ?? 0) * width;
    for (let s = 1, at = v * width + 1; s < width; s++, at++) {
      if (rows[at] === 0) rows[at] = rows[from + s] ?? 0;
    }
  }

  // From a deep state, follow trie edges and failure links (amortized O(1) per character) until an
  // edge or a dense row is found.
  const deepStep = (state: number, s: number): number => {
    for (let v = state; ; v = fail[v] ?? 0, counters.steps++) {
      if (v < dense) return rows[v * width + s] ?? 0;
      const next = child(v, s);
      if (next !== 0) return next;
    }
  };

  /** Matched ranges as flat [start, end) pairs, merged when they overlap or touch. */
  const scan = (input: string, firstOnly: boolean): number[] => {
    const ranges: number[] = [];
    let state = 0;
    let steps = 0;
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      const s = c < 128 ? (ascii[c] ?? 0) : (wide.get(c) ?? 0);
      if (s === 0) {
        state = 0;
        continue;
      }
      steps++;
      state = state < dense ? (rows[state * width + s] ?? 0) : deepStep(state, s);
      const length = longest[state] ?? 0;
      if (length === 0) continue;
      if (firstOnly) {
        counters.steps += steps;
        return [i + 1 - length, i + 1];
      }
      // Matches end in increasing order, but a longer one may start before earlier ranges: absorb them.
      let start = i + 1 - length;
      while (ranges.length > 0 && start <= (ranges[ranges.length - 1] ?? 0)) {
        ranges.pop();
        start = Math.min(start, ranges.pop() ?? start);
      }
      ranges.push(start, i + 1);
    }
    counters.steps += steps;
    return ranges;
  };
  counters.nodes = nodes;
  return scan;
}
