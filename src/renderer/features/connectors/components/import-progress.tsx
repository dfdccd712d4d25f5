import type { ProgressEvent } from '../../../common/live';

/** How far an import has come; indeterminate until (or unless) the server reports steps. */
export function ImportProgress({ progress }: { progress: ProgressEvent | null }) {
  const total = progress?.total;
  const known = progress && total && total > 0;
  const text = !progress
    ? 'Sending and parsing the document…'
    : (progress.message ??
      (total ? `${progress.progress} of ${total} operations` : `${progress.progress} operations`));
  return (
    <div className="import-progress" role="status">
      {known ? (
        <progress aria-label="Import progress" max={total} value={progress.progress} />
      ) : (
        <progress aria-label="Import progress" />
      )}
      <span className="small-text">{text}</span>
    </div>
  );
}
