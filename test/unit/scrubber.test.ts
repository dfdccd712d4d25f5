import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { createScrubber, encodedForms, scrubberStats } from '../../src/main/core/util/scrubber';

// Quote, backslash, '+', '/', '=', space, non-ASCII, a control character and '~' (which only the form
// encoding escapes): every encoding below differs from the others. 22 UTF-8 bytes, so base64 is padded.
const SECRET = 'pa"ss\\wo+rd/=é \u0001key~!';

/** The forms computed here independently of the scrubber, by the encoders upstreams actually use. */
function independentForms(secret: string): Record<string, string> {
  const bytes = Buffer.from(secret, 'utf8');
  const json = JSON.stringify(secret).slice(1, -1);
  return {
    raw: secret,
    json,
    jsonAscii: json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    uri: encodeURIComponent(secret),
    form: new URLSearchParams({ k: secret }).toString().slice('k='.length),
    base64: bytes.toString('base64'),
    base64Bare: bytes.toString('base64').replace(/=+$/, ''),
    base64url: bytes.toString('base64url'),
    hex: bytes.toString('hex'),
    HEX: bytes.toString('hex').toUpperCase(),
  };
}

describe('scrubber: encoded forms', () => {
  it('masks the secret in every encoding, and the test secret makes each encoding distinct', () => {
    const forms = independentForms(SECRET);
    expect(new Set(Object.values(forms)).size).toBe(Object.keys(forms).length);
    const scrubber = createScrubber([SECRET]);
    for (const [name, form] of Object.entries(forms)) {
      expect({ name, out: scrubber.text(`before ${form} after`) }).toEqual({ name, out: 'before *** after' });
      expect(encodedForms(SECRET)).toContain(form);
    }
  });

  it('masks the base64 of user:password, as in an HTTP Basic header, once callers add it as a secret', () => {
    const basic = `Authorization: Basic ${Buffer.from('alice:s3cret-pass').toString('base64')}`;
    expect(createScrubber(['alice:s3cret-pass']).text(basic)).toBe('Authorization: Basic ***');
  });

  it('masks a secret inside a larger base64 blob at each byte alignment', () => {
    const scrubber = createScrubber([SECRET]);
    const secretChars = Math.floor((Buffer.byteLength(SECRET) * 4) / 3);
    for (const prefix of ['', 'x', 'xy', 'xyz']) {
      for (const suffix of ['', '!', '!!', '!!!']) {
        const blob = Buffer.from(`${prefix}${SECRET}${suffix}`).toString('base64');
        const out = scrubber.text(blob);
        expect(out).toContain('***');
        // At most the two characters at each edge that mix in neighbouring bytes stay visible.
        expect(blob.length - (out.length - 3)).toBeGreaterThanOrEqual(secretChars - 2);
      }
    }
  });

  it('drops forms that duplicate another or are shorter than minLength', () => {
    const forms = encodedForms('abcdefgh');
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms.filter((f) => f === 'abcdefgh')).toHaveLength(1);
    expect(encodedForms('abcdefgh', 12).every((f) => f.length >= 12)).toBe(true);
  });
});

describe('scrubber: matching', () => {
  it('masks the union of overlapping and nested matches as one run', () => {
    const scrubber = createScrubber(['abcdefgh', 'efghijkl', 'secret-token-123', 'token-1']);
    expect(scrubber.text('xx abcdefghijkl yy')).toBe('xx *** yy');
    expect(scrubber.text('a secret-token-123 b token-1 c')).toBe('a *** b *** c');
    // A secret inside a longer one's prefix, where the longer one then fails to match.
    expect(createScrubber(['abcdefghij', 'cdefgh']).text('abcdefghXX')).toBe('ab***XX');
    // Touching matches are one masked run too.
    expect(scrubber.text('<abcdefghsecret-token-123>')).toBe('<***>');
  });

  it('masks a secret at the very start and end, and the whole input', () => {
    const scrubber = createScrubber(['topsecret']);
    expect(scrubber.text('topsecret')).toBe('***');
    expect(scrubber.text('topsecret at start')).toBe('*** at start');
    expect(scrubber.text('at end topsecret')).toBe('at end ***');
  });

  it('masks every repeated occurrence', () => {
    const scrubber = createScrubber(['topsecret']);
    expect(scrubber.text('topsecret, topsecret; topsecret')).toBe('***, ***; ***');
    expect(scrubber.text('topsecrettopsecret')).toBe('***');
    expect(scrubber.has('... topsecret ...')).toBe(true);
    expect(scrubber.has('... topsecre ...')).toBe(false);
  });

  it('ignores secrets shorter than minLength, and uses the mask it is given', () => {
    const scrubber = createScrubber(['abc12', 'longer-secret'], { mask: '[redacted]' });
    expect(scrubber.size).toBe(1);
    expect(scrubber.text('abc12 longer-secret')).toBe('abc12 [redacted]');
    expect(createScrubber(['abc'], { minLength: 3 }).text('xabcx')).toBe('x***x');
  });

  it('returns the very input when empty or when nothing matches', () => {
    const body = `{"data":"${'x'.repeat(1000)}"}`;
    const empty = createScrubber(['short', '']);
    expect(empty.size).toBe(0);
    expect(empty.text(body)).toBe(body);
    expect(createScrubber(['topsecret']).text(body)).toBe(body);
  });

  it('masks secrets with astral characters and never splits a surrogate pair it did not match', () => {
    const scrubber = createScrubber(['key-😀-😀']);
    expect(scrubber.text('a key-😀-😀 b 😀')).toBe('a *** b 😀');
  });
});

describe('scrubber: value()', () => {
  const scrubber = createScrubber(['topsecret']);

  it('scrubs strings and keys in nested objects and arrays, leaving other values alone', () => {
    const when = new Date(0);
    const input = {
      ok: true,
      n: 1,
      none: null,
      list: ['a', 'topsecret', { deep: ['x topsecret y'] }],
      topsecret: 'key',
      when,
      clean: { a: ['b'] },
    };
    const out = scrubber.value(input);
    expect(out).toEqual({
      ok: true,
      n: 1,
      none: null,
      list: ['a', '***', { deep: ['x *** y'] }],
      '***': 'key',
      when,
      clean: { a: ['b'] },
    });
    expect(out).not.toBe(input);
    expect(out.clean).toBe(input.clean);
    expect(input.list[1]).toBe('topsecret');
  });

  it('returns the same reference when nothing changed', () => {
    const input = { a: [1, 'two', { three: 'four' }], b: 'clean' };
    expect(scrubber.value(input)).toBe(input);
    expect(scrubber.value('clean')).toBe('clean');
    expect(createScrubber([]).value(input)).toBe(input);
  });

  it('keeps __proto__ an ordinary key and null-prototype objects null-prototype', () => {
    const input = JSON.parse('{"__proto__": "topsecret"}');
    const out = scrubber.value(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('***');
    const bare = Object.assign(Object.create(null), { k: 'topsecret' });
    const scrubbed = scrubber.value(bare);
    expect(Object.getPrototypeOf(scrubbed)).toBe(null);
    expect(scrubbed.k).toBe('***');
  });
});

/** mulberry32: a tiny seeded PRNG, so failures replay. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The oracle: find every occurrence of every form by brute force and mask the union of the ranges.
 * (A split/join loop over the forms cannot be the oracle: when matches overlap, its result depends on
 * the order of the loop, and masked text can join with its neighbours into a new match.)
 */
function naive(secrets: string[], input: string, mask = '***'): string {
  const covered = new Uint8Array(input.length);
  for (const form of new Set(secrets.flatMap((s) => encodedForms(s)))) {
    for (let at = input.indexOf(form); at >= 0; at = input.indexOf(form, at + 1)) {
      covered.fill(1, at, at + form.length);
    }
  }
  let out = '';
  for (let i = 0; i < input.length; i++) {
    if (!covered[i]) out += input[i];
    else if (i === 0 || !covered[i - 1]) out += mask;
  }
  return out;
}

describe('scrubber: against a brute-force oracle', () => {
  it('agrees on a few hundred seeded random cases', () => {
    const random = prng(20240611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] ?? items[0]!;
    // A tiny alphabet, so secrets overlap, nest and repeat; plus the characters that change encodings.
    const alphabet = ['a', 'b', 'c', 'a', 'b', '+', '/', '=', '"', '\\', ' ', 'é', '\u0001', '%', '2'];
    const randomString = (min: number, max: number) =>
      Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => pick(alphabet)).join('');
    for (let round = 0; round < 400; round++) {
      // Some secrets are cut out of earlier ones, so that secrets nest and overlap.
      const secrets: string[] = [];
      for (let n = 1 + Math.floor(random() * 4); secrets.length < n; ) {
        const outer = secrets.length > 0 && random() < 0.4 ? pick(secrets) : '';
        const from = Math.floor(random() * 4);
        secrets.push(
          outer.length >= 10 ? outer.slice(from, from + 6 + Math.floor(random() * 3)) : randomString(4, 14),
        );
      }
      const forms = secrets.flatMap((s) => encodedForms(s));
      // Whole forms, cut-off forms and forms one character off (near misses that leave the automaton deep
      // in the trie), and noise.
      const pieces = Array.from({ length: Math.floor(random() * 12) }, () => {
        const form = forms.length > 0 ? pick(forms) : '';
        const roll = random();
        if (roll < 0.35) return form;
        if (roll < 0.6) return form.slice(Math.floor(random() * 3), form.length - Math.floor(random() * 4));
        if (roll < 0.8) {
          const at = Math.floor(random() * form.length);
          return `${form.slice(0, at)}${pick(alphabet)}${form.slice(at + 1)}`; // one character off
        }
        return randomString(0, 6);
      });
      const input = pieces.join('');
      const expected = naive(secrets, input);
      // The default keeps every state of these small automata in the DFA table; a table of the root
      // alone, or of a random number of the shallowest states, exercises the trie-and-failure path.
      for (const denseCells of [undefined, 0, Math.floor(random() * 400)]) {
        const scrubber = createScrubber(secrets, { denseCells });
        const out = scrubber.text(input);
        expect({ round, denseCells, secrets, input, out }).toEqual({
          round,
          denseCells,
          secrets,
          input,
          out: expected,
        });
        expect(scrubber.has(input)).toBe(expected !== input);
      }
    }
  });
});

describe('scrubber: linear work (counted, not timed)', () => {
  it('builds at most one trie node per pattern character', () => {
    const secrets = Array.from(
      { length: 2000 },
      (_, i) => `sk_live_${i.toString(36).padStart(6, '0')}_${i * 7919}`,
    );
    const scrubber = createScrubber(secrets);
    const stats = scrubberStats(scrubber);
    const total = secrets.flatMap((s) => encodedForms(s)).reduce((n, f) => n + f.length, 0);
    expect(stats?.nodes).toBeLessThanOrEqual(total + 1);
  });

  it('takes at most two transitions per input character, however adversarial the patterns', () => {
    // a…ab patterns against a long run of 'a': the classic worst case for naive matching (O(n × m)).
    const secrets = Array.from({ length: 300 }, (_, k) => `${'a'.repeat(k + 6)}b`);
    const input = `${'a'.repeat(100_000)}b`;
    for (const denseCells of [undefined, 0]) {
      const scrubber = createScrubber(secrets, { denseCells });
      const before = scrubberStats(scrubber)?.steps ?? 0;
      expect(scrubber.text(input)).toBe(`${'a'.repeat(100_000 - 305)}***`);
      const steps = (scrubberStats(scrubber)?.steps ?? 0) - before;
      expect(steps).toBeGreaterThanOrEqual(input.length);
      expect(steps).toBeLessThanOrEqual(2 * input.length);
    }
  });

  it('does work proportional to the input, not to the number of secrets', () => {
    const random = prng(7);
    const token = () =>
      Array.from(
        { length: 32 },
        () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 36)],
      ).join('');
    const body = JSON.stringify(
      Array.from({ length: 500 }, () => ({ id: token(), note: 'nothing secret here' })),
    );
    for (const count of [1, 100, 1000]) {
      const scrubber = createScrubber(Array.from({ length: count }, token));
      scrubber.text(body);
      expect(scrubberStats(scrubber)?.steps).toBeLessThanOrEqual(2 * body.length);
    }
  });
});
