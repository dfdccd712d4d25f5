/** Latency samples in milliseconds, summarized. */
export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Rounds for display and JSON. */
export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const now = (): number => performance.now();

/** Runs `fn` once per sample and returns the durations in ms. */
export async function timeEach(count: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const t0 = now();
    await fn(i);
    out.push(now() - t0);
  }
  return out;
}

/**
 * Keeps `concurrency` calls in flight for `ms` milliseconds. Returns the completed calls,
 * their latencies and the calls per second.
 */
export async function load(
  concurrency: number,
  ms: number,
  fn: () => Promise<unknown>,
): Promise<{ calls: number; errors: number; seconds: number; latencies: number[]; firstError?: string }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = now();
  const deadline = started + ms;
  const worker = async () => {
    while (now() < deadline) {
      const t0 = now();
      try {
        await fn();
        latencies.push(now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (now() - started) / 1000;
  return { calls: latencies.length, errors, seconds, latencies, firstError };
}

/**
 * Times `a` and `b` call by call, alternating which goes first, after `warmup` rounds of both: the
 * same machine state for both sides of a ratio. Returns each side's durations (ms).
 */
export async function alternate(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  calls: number,
  warmup = 200,
): Promise<[number[], number[]]> {
  for (let i = 0; i < warmup; i += 1) {
    await a();
    await b();
  }
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < calls; i += 1) {
    for (const side of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = now();
      await (side === 0 ? a : b)();
      times[side]?.push(now() - t0);
    }
  }
  return times;
}
