import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** One line of the results table. */
export interface Row {
  scenario: string;
  metric: string;
  portico: number;
  baseline: number | null;
  /** How portico compares: "ratio" (portico ÷ baseline) or "diff" (portico − baseline). */
  compare: 'ratio' | 'diff' | 'none';
  unit: string;
  target: string;
  met: boolean | null;
  note?: string;
}

export function compared(row: Row): number | null {
  if (row.baseline === null || row.compare === 'none') return null;
  return row.compare === 'ratio' ? row.portico / row.baseline : row.portico - row.baseline;
}

const fmt = (v: number, unit: string) => {
  if (!Number.isFinite(v)) return String(v);
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`.trim();
};

export function table(rows: Row[]): string {
  const header = ['Scenario', 'Metric', 'Portico', 'Baseline', 'Ratio / Δ', 'Target', 'Met'];
  const body = rows.map((r) => {
    const c = compared(r);
    return [
      r.scenario,
      r.metric,
      fmt(r.portico, r.unit),
      r.baseline === null ? '—' : fmt(r.baseline, r.unit),
      c === null ? '—' : r.compare === 'ratio' ? `${c.toFixed(2)}×` : `${c >= 0 ? '+' : ''}${fmt(c, r.unit)}`,
      r.target,
      r.met === null ? '—' : r.met ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export function machine() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // not Linux
  }
  return {
    cpu: model,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load: readLoad(),
  };
}

function readLoad(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '';
  }
}
