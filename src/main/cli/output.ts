import { redact } from '../core/util/log';

/** Where CLI commands write; injectable so tests can run commands in-process. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  // Errors pass through redaction: a key or secret must never reach the terminal by accident.
  err: (text) => process.stderr.write(`${redact(text)}${text.endsWith('\n') ? '' : '\n'}`),
};

export class UsageError extends Error {}

export const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** A plain-text table with aligned columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
