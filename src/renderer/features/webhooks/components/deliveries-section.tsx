// Delivery attempts, newest first, for one webhook or all: the state after each attempt, the
// receiver's status code, how many attempts so far and when the next retry is due.

import { deliveryStates } from '../../../../shared/schemas/webhooks';
import { Badge, Field } from '../../../common/controls';
import { Empty, QueryState } from '../../../common/feedback';
import { Section } from '../../../common/page';
import { useToolPages } from '../../../common/queries';
import { when } from '../lib/format';
import type { Delivery, Webhook } from '../lib/types';

const PAGE = 25;

const STATE_TONE: Record<Delivery['state'], 'ok' | 'warn' | 'error' | 'neutral'> = {
  delivered: 'ok',
  pending: 'warn',
  failed: 'error',
  cancelled: 'neutral',
};

export function DeliveriesSection({
  webhooks,
  webhookId,
  onWebhookChange,
  state,
  onStateChange,
}: {
  webhooks: readonly Webhook[];
  webhookId: string;
  onWebhookChange(id: string): void;
  state: string;
  onStateChange(state: string): void;
}) {
  const input = {
    limit: PAGE,
    ...(webhookId ? { webhook_id: webhookId } : {}),
    ...(state ? { state: state as Delivery['state'] } : {}),
  };
  const pages = useToolPages('list_webhook_deliveries', input);
  const rows = pages.data?.pages.flatMap((p) => p.deliveries) ?? [];
  const total = pages.data?.pages[0]?.total ?? 0;
  const urlOf = new Map(webhooks.map((w) => [w.id, w.url]));
  return (
    <Section title="Deliveries">
      <div className="deliveries-filters">
        <Field label="Webhook">
          {(props) => (
            <select {...props} value={webhookId} onChange={(e) => onWebhookChange(e.target.value)}>
              <option value="">All webhooks</option>
              {webhooks.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.url}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="State">
          {(props) => (
            <select {...props} value={state} onChange={(e) => onStateChange(e.target.value)}>
              <option value="">Any state</option>
              {deliveryStates.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <QueryState query={pages} what="deliveries" />
      {pages.data &&
        (rows.length === 0 ? (
          <Empty>No deliveries yet. Send a test event, or wait for the subscribed events to happen.</Empty>
        ) : (
          <>
            <table aria-label="Webhook deliveries">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  {!webhookId && <th scope="col">Webhook</th>}
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Response code</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Next retry</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={`${d.id}-${d.attempt}`}>
                    <td>{when(d.at)}</td>
                    {!webhookId && <td className="webhook-url">{urlOf.get(d.webhook_id) ?? d.webhook_id}</td>}
                    <td>
                      <code>{d.event_type}</code>
                    </td>
                    <td>
                      <Badge tone={STATE_TONE[d.state]}>{d.state}</Badge>
                      {d.error && <div className="muted delivery-error">{d.error}</div>}
                    </td>
                    <td>{d.status_code ?? 'no response'}</td>
                    <td>{d.attempt}</td>
                    <td>{d.duration_ms} ms</td>
                    <td>{d.state === 'pending' ? when(d.next_attempt_at) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted">
              {rows.length} of {total} attempts
            </p>
            {pages.hasNextPage && (
              <button
                type="button"
                className="secondary load-more"
                disabled={pages.isFetchingNextPage}
                onClick={() => void pages.fetchNextPage()}
              >
                {pages.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            )}
          </>
        ))}
    </Section>
  );
}
