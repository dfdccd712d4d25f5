// Export buttons with their progress: the rows are fetched page by page in the browser.
import { useRef, useState } from 'react';
import { ErrorMessage, useToast } from '../../../common/feedback';
import {
  download,
  EXPORT_CAP,
  type ExportFormat,
  exportFilename,
  fetchAllEntries,
  toCsv,
  toJsonLines,
} from '../lib/export';
import type { ActivityFilterInput } from '../lib/filters';

const NAMES: Record<ExportFormat, string> = { csv: 'CSV', jsonl: 'JSON Lines' };

export function ExportControls({ filters, search }: { filters: ActivityFilterInput; search: string }) {
  const toast = useToast();
  const [running, setRunning] = useState<{ format: ExportFormat; rows: number } | undefined>();
  const [error, setError] = useState<unknown>();
  const abort = useRef<AbortController | undefined>(undefined);

  const start = async (format: ExportFormat) => {
    const controller = new AbortController();
    abort.current = controller;
    setError(undefined);
    setRunning({ format, rows: 0 });
    try {
      const { entries, capped } = await fetchAllEntries(
        filters,
        search,
        (rows) => setRunning({ format, rows }),
        controller.signal,
      );
      const text = format === 'csv' ? toCsv(entries) : toJsonLines(entries);
      download(
        text,
        exportFilename(format),
        format === 'csv' ? 'text/csv;charset=utf-8' : 'application/x-ndjson;charset=utf-8',
      );
      toast.success(
        `Exported ${entries.length.toLocaleString()} entries as ${NAMES[format]}${
          capped ? ` (the first ${EXPORT_CAP.toLocaleString()}; narrow the filters for the rest)` : ''
        }.`,
      );
    } catch (e) {
      if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e);
    } finally {
      setRunning(undefined);
      abort.current = undefined;
    }
  };

  return (
    <div className="activity-export">
      <div className="inline">
        <button
          type="button"
          className="secondary"
          disabled={Boolean(running)}
          onClick={() => void start('csv')}
        >
          Export CSV
        </button>
        <button
          type="button"
          className="secondary"
          disabled={Boolean(running)}
          onClick={() => void start('jsonl')}
        >
          Export JSON Lines
        </button>
        {running && (
          <>
            <span role="status">
              Exporting {NAMES[running.format]}… {running.rows.toLocaleString()} entries
            </span>
            <button type="button" className="secondary small" onClick={() => abort.current?.abort()}>
              Cancel export
            </button>
          </>
        )}
      </div>
      <ErrorMessage error={error} title="Export failed" />
    </div>
  );
}
