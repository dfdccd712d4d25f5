// One call in full: where it came from, who made it, how long it took, and its error.
import { Badge } from '../../../common/controls';
import { Dialog } from '../../../common/dialog';
import type { ActivityEntry } from '../lib/filters';

export function ActivityDetail({ entry, onClose }: { entry: ActivityEntry | undefined; onClose(): void }) {
  return (
    <Dialog open={Boolean(entry)} onClose={onClose} title="Call details" wide>
      {entry && (
        <div className="dialog-body">
          <dl className="props">
            <dt>Time</dt>
            <dd>
              {new Date(entry.time).toLocaleString()} <span className="muted">({entry.time})</span>
            </dd>
            <dt>Tool</dt>
            <dd>
              <code>{entry.tool}</code>
            </dd>
            <dt>Outcome</dt>
            <dd>
              <Badge tone={entry.outcome === 'ok' ? 'ok' : 'error'}>
                {entry.outcome === 'ok' ? 'succeeded' : 'failed'}
              </Badge>
            </dd>
            <dt>Plane</dt>
            <dd>{entry.plane}</dd>
            <dt>Entry point</dt>
            <dd>{entry.entry_point}</dd>
            <dt>Customer</dt>
            <dd>{entry.customer_id ?? '—'}</dd>
            <dt>Key</dt>
            <dd>{entry.key_id ? <code>{entry.key_id}</code> : '—'}</dd>
            <dt>Duration</dt>
            <dd>{entry.duration_ms} ms</dd>
            <dt>Id</dt>
            <dd>
              <code>{entry.id}</code>
            </dd>
          </dl>
          {entry.detail && <p>{entry.detail}</p>}
          {entry.error ? (
            <>
              <h3>Error</h3>
              <div className="error-box">{entry.error}</div>
            </>
          ) : (
            entry.outcome === 'error' && <p className="muted">No error message was recorded.</p>
          )}
        </div>
      )}
    </Dialog>
  );
}
