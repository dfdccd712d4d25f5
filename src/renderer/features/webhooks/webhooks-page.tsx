// Outbound webhooks: create (the signing secret shown once), edit, switch off, send a test event,
// delete — and every delivery attempt with its outcome.
import { useState } from 'react';
import type { ToolOutput } from '../../../shared/registry';
import { Badge, Switch } from '../../common/controls';
import { ConfirmButton } from '../../common/dialog';
import { Empty, QueryState, useToast } from '../../common/feedback';
import { Page, Section } from '../../common/page';
import { useTool, useToolMutation } from '../../common/queries';
import { CreateWebhookDialog } from './components/create-webhook-dialog';
import { DeliveriesSection } from './components/deliveries-section';
import { EditWebhookDialog } from './components/edit-webhook-dialog';
import { eventsText } from './lib/format';
import type { Webhook } from './lib/types';
import './webhooks.css';

type TestOutcome = ToolOutput<'test_webhook'> & { url: string };

function TestResult({ outcome }: { outcome: TestOutcome }) {
  return (
    <div className={`${outcome.delivered ? 'ok-box' : 'error-box'} test-result`} role="status">
      <strong>Test event to {outcome.url}:</strong> {outcome.message}
      {outcome.response_excerpt && <pre>{outcome.response_excerpt}</pre>}
    </div>
  );
}

export default function WebhooksPage() {
  const webhooks = useTool('list_webhooks', { limit: 500 });
  const update = useToolMutation('update_webhook');
  const remove = useToolMutation('delete_webhook');
  const test = useToolMutation('test_webhook');
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Webhook | undefined>();
  const [testOutcome, setTestOutcome] = useState<TestOutcome | undefined>();
  const [deliveriesOf, setDeliveriesOf] = useState('');
  const [deliveryState, setDeliveryState] = useState('');
  const list = webhooks.data?.webhooks ?? [];

  const sendTest = (w: Webhook) =>
    test.mutate(
      { webhook_id: w.id },
      {
        onSuccess: (r) => {
          setTestOutcome({ ...r, url: w.url });
          setDeliveriesOf(w.id);
        },
        onError: (e) => toast.error(e),
      },
    );

  return (
    <Page
      title="Webhooks"
      actions={
        <button type="button" onClick={() => setCreating(true)}>
          Create webhook
        </button>
      }
    >
      <QueryState query={webhooks} what="webhooks" />
      {testOutcome && <TestResult outcome={testOutcome} />}
      {webhooks.data && (
        <Section title="Endpoints">
          {list.length === 0 ? (
            <Empty>No webhooks. Create one to have Portico POST signed events to your service.</Empty>
          ) : (
            <table aria-label="Webhooks">
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Enabled</th>
                  <th scope="col">Pending</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((w) => (
                  <tr key={w.id}>
                    <td className="webhook-url">
                      <code>{w.url}</code>
                      {w.description && <div className="muted">{w.description}</div>}
                    </td>
                    <td>{eventsText(w.events)}</td>
                    <td>
                      <Switch
                        label={`Send events to ${w.url}`}
                        checked={w.enabled}
                        disabled={update.isPending}
                        onChange={(enabled) =>
                          update.mutate(
                            { webhook_id: w.id, enabled },
                            {
                              onSuccess: () =>
                                toast.success(`Webhook to ${w.url} ${enabled ? 'enabled' : 'disabled'}.`),
                              onError: (e) => toast.error(e),
                            },
                          )
                        }
                      />
                    </td>
                    <td>{w.pending_deliveries ? <Badge tone="warn">{w.pending_deliveries}</Badge> : '0'}</td>
                    <td>
                      <div className="row-actions">
                        <button type="button" className="secondary small" onClick={() => setEditing(w)}>
                          Edit<span className="visually-hidden"> webhook to {w.url}</span>
                        </button>
                        <button
                          type="button"
                          className="secondary small"
                          disabled={test.isPending}
                          onClick={() => sendTest(w)}
                        >
                          {test.isPending && test.variables?.webhook_id === w.id
                            ? 'Sending test'
                            : 'Send test'}
                          <span className="visually-hidden"> to {w.url}</span>
                        </button>
                        <button
                          type="button"
                          className="secondary small"
                          onClick={() => setDeliveriesOf(w.id)}
                        >
                          Deliveries<span className="visually-hidden"> of {w.url}</span>
                        </button>
                        <ConfirmButton
                          label="Delete"
                          title="Delete this webhook?"
                          message={
                            <p>
                              <code>{w.url}</code> stops receiving events and its queued deliveries are
                              dropped. Its delivery history stays listed.
                            </p>
                          }
                          onConfirm={() =>
                            remove.mutateAsync({ webhook_id: w.id }).then(
                              (r) => {
                                if (deliveriesOf === w.id) setDeliveriesOf('');
                                if (testOutcome?.url === w.url) setTestOutcome(undefined);
                                toast.success(r.message);
                              },
                              (e: unknown) => toast.error(e),
                            )
                          }
                        />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      )}
      {webhooks.data && (
        <DeliveriesSection
          webhooks={list}
          webhookId={deliveriesOf}
          onWebhookChange={setDeliveriesOf}
          state={deliveryState}
          onStateChange={setDeliveryState}
        />
      )}
      <CreateWebhookDialog open={creating} onClose={() => setCreating(false)} />
      <EditWebhookDialog webhook={editing} onClose={() => setEditing(undefined)} />
    </Page>
  );
}
