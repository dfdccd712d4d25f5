// Export of the current filter's entries: paged through list_activity in the browser (500 a page,
// at most 100,000 rows), turned into CSV or JSON Lines, and saved through an <a download> of an
// object URL — no server endpoint besides the registry.
import { callTool } from '../../../common/registry';
import { type ActivityEntry, type ActivityFilterInput, matchesSearch } from './filters';

export const EXPORT_CAP = 100_000;
const PAGE = 500;

export type ExportFormat = 'csv' | 'jsonl';

export const COLUMNS = [
  'time',
  'plane',
  'entry_point',
  'key_id',
  'customer_id',
  'tool',
  'duration_ms',
  'outcome',
  'error',
  'detail',
  'id',
] as const satisfies readonly (keyof ActivityEntry)[];

/**
 * One CSV field (RFC 4180 quoting). Text that a spreadsheet would run as a formula (= + - @, tab,
 * CR at the start) gets a leading apostrophe: error messages come from upstreams.
 */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(entries: readonly ActivityEntry[]): string {
  const lines = [COLUMNS.join(',')];
  for (const entry of entries) lines.push(COLUMNS.map((c) => csvField(entry[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJsonLines(entries: readonly ActivityEntry[]): string {
  return entries.map((e) => `${JSON.stringify(e)}\n`).join('');
}

/** Every entry the filters (and the search box) select, newest first, up to the cap. */
export async function fetchAllEntries(
  filters: ActivityFilterInput,
  search: string,
  onProgress: (rows: number) => void,
  signal: AbortSignal,
): Promise<{ entries: ActivityEntry[]; capped: boolean }> {
  const entries: ActivityEntry[] = [];
  let cursor: string | undefined;
  do {
    if (signal.aborted) throw new DOMException('Export cancelled.', 'AbortError');
    const page = await callTool('list_activity', { ...filters, limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const entry of page.entries) if (matchesSearch(entry, search)) entries.push(entry);
    onProgress(entries.length);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && entries.length < EXPORT_CAP);
  return { entries: entries.slice(0, EXPORT_CAP), capped: Boolean(cursor) || entries.length > EXPORT_CAP };
}

/** Saves `text` as a file through a temporary link to an object URL. */
export function download(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL by now; a minute is ample before freeing the Blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function exportFilename(format: ExportFormat, at = new Date()): string {
  const stamp = at.toISOString().slice(0, 19).replaceAll(':', '-');
  return `portico-activity-${stamp}.${format === 'csv' ? 'csv' : 'jsonl'}`;
}
