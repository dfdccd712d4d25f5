// The calls, newest first; each row opens its details.
import { Badge } from '../../../common/controls';
import type { ActivityEntry } from '../lib/filters';

export function ActivityTable({
  entries,
  onOpen,
}: {
  entries: readonly ActivityEntry[];
  onOpen(entry: ActivityEntry): void;
}) {
  return (
    <div className="activity-table-scroll">
      <table aria-label="Activity" className="activity-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Plane</th>
            <th scope="col">Entry point</th>
            <th scope="col">Key</th>
            <th scope="col">Customer</th>
            <th scope="col">Tool</th>
            <th scope="col">Duration</th>
            <th scope="col">Outcome</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>
                <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time>
              </td>
              <td>{e.plane}</td>
              <td>{e.entry_point}</td>
              <td>{e.key_id ? <code>{e.key_id}</code> : '—'}</td>
              <td>{e.customer_id ?? '—'}</td>
              <td className="activity-tool">
                <code>{e.tool}</code>
              </td>
              <td>{e.duration_ms} ms</td>
              <td>
                <Badge tone={e.outcome === 'ok' ? 'ok' : 'error'}>
                  {e.outcome === 'ok' ? 'ok' : 'error'}
                </Badge>
              </td>
              <td>
                <button
                  type="button"
                  className="secondary small"
                  aria-label={`Details of ${e.tool} at ${new Date(e.time).toLocaleTimeString()}`}
                  onClick={() => onOpen(e)}
                >
                  Details
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
