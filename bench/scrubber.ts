// The secret scrubber against the split/join loop it replaces, on a 130 KB JSON body, measured in the
// same run. Bundled with esbuild like bench/run.ts, and run on the machine's Node:
//   node_modules/.bin/esbuild bench/scrubber.ts --bundle --platform=node --format=esm \
//     --outfile=node_modules/.cache/portico-bench/scrubber.mjs \
//     && node node_modules/.cache/portico-bench/scrubber.mjs
// Baselines: "raw loop" is log.ts's loop today (raw secrets only, so it misses every encoding);
// "forms loop" is the same loop over every encoded form, i.e. what the scrubber actually does.
import { createScrubber, encodedForms } from '../src/main/core/util/scrubber';

const COUNTS = [0, 10, 1_000, 10_000];
const BODY_BYTES = 130_000;

let seed = 42;
const random = () => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return seed / 2 ** 32;
};
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = (length: number) => Array.from({ length }, () => ALNUM[Math.floor(random() * 62)]).join('');

/** A typical API response: records with ids, text, URLs and numbers, until it is 130 KB. */
function body(): string {
  const items = [];
  for (let size = 0; size < BODY_BYTES; size += JSON.stringify(items.at(-1)).length + 1) {
    items.push({
      id: `rec_${token(14)}`,
      name: `Customer ${token(6)} — Müller & Co.`,
      url: `https://api.example.com/v1/customers/${token(10)}?expand=orders`,
      amount: Math.floor(random() * 1e6) / 100,
      note: 'Paid by card; receipt sent. Contact support if the charge looks wrong.',
    });
  }
  return JSON.stringify({ data: items, has_more: true }).slice(0, BODY_BYTES);
}

/** log.ts's redact() loop, without its three fixed regexes. */
function splitJoin(needles: Iterable<string>, text: string): string {
  let out = text;
  for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join('***');
  return out;
}

/** Median ms per run of `fn`, over at least 5 runs and 300 ms (after one warm-up run). */
function measure(fn: () => unknown): number {
  fn();
  const times: number[] = [];
  const until = performance.now() + 300;
  while (times.length < 5 || performance.now() < until) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(3));
const ratio = (baseline: number, scrubber: number) => `${(baseline / scrubber).toFixed(1)}×`;

const clean = body();
const secrets = Array.from({ length: Math.max(...COUNTS) }, () => `sk_live_${token(24)}`);
console.log(`node ${process.version}; body ${clean.length} chars; secrets like ${secrets[0]}`);
console.log(
  [
    'secrets',
    'patterns',
    'build',
    'scrubber',
    'raw loop',
    'forms loop',
    'raw/scrub',
    'forms/scrub',
    'dirty: scrubber',
    'dirty: forms loop',
  ].join('\t'),
);
for (const count of COUNTS) {
  const some = secrets.slice(0, count);
  const forms = [...new Set(some.flatMap((s) => encodedForms(s)))];
  const build = measure(() => createScrubber(some));
  const scrubber = createScrubber(some);
  // The same body with ten of the secrets' forms pasted in, to cost the masking too.
  let pasted = 0;
  const dirty = clean.replace(/rec_/g, (m) =>
    pasted < Math.min(10, forms.length) && random() < 0.02 ? `${m}${forms[pasted++]}` : m,
  );
  const scrub = measure(() => scrubber.text(clean));
  const raw = measure(() => splitJoin(some, clean));
  const all = measure(() => splitJoin(forms, clean));
  const dirtyScrub = measure(() => scrubber.text(dirty));
  const dirtyAll = measure(() => splitJoin(forms, dirty));
  if (scrubber.has(scrubber.text(dirty))) throw new Error('a secret survived scrubbing');
  console.log(
    [
      count,
      forms.length,
      ms(build),
      ms(scrub),
      ms(raw),
      ms(all),
      count === 0 ? '—' : ratio(raw, scrub), // both ~0: the empty scrubber returns its input
      count === 0 ? '—' : ratio(all, scrub),
      ms(dirtyScrub),
      ms(dirtyAll),
    ].join('\t'),
  );
}
console.log(
  '(ms per 130 KB body, median; ratios are loop ÷ scrubber, above 1× means the scrubber is faster)',
);
