// Editing a webhook: URL, events, description, on/off — and rotating its signing secret, whose new
// value is shown once like at creation.
import { useEffect, useState } from 'react';
import { ConfirmButton, Dialog } from '../../../common/dialog';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import type { Webhook } from '../lib/types';
import { SecretOnce } from './secret-once';
import { useWebhookForm, WebhookFields } from './webhook-fields';

const valuesOf = (w: Webhook | undefined) => ({
  url: w?.url ?? '',
  events: w?.events ?? [],
  description: w?.description ?? '',
});

export function EditWebhookDialog({ webhook, onClose }: { webhook: Webhook | undefined; onClose(): void }) {
  const update = useToolMutation('update_webhook');
  const toast = useToast();
  const [enabled, setEnabled] = useState(true);
  const [secret, setSecret] = useState<string | undefined>();
  const form = useWebhookForm(valuesOf(webhook));
  const { reset } = form;
  const id = webhook?.id;
  // A different webhook opened: start from its saved values.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the id on purpose — a live refetch of the same webhook must not wipe the user's edits
  useEffect(() => {
    reset(valuesOf(webhook));
    setEnabled(webhook?.enabled ?? true);
    setSecret(undefined);
    update.reset();
  }, [id, reset]);
  return (
    <Dialog open={Boolean(webhook)} onClose={onClose} title={secret ? 'New signing secret' : 'Edit webhook'}>
      {!webhook ? null : secret ? (
        <SecretOnce secret={secret} onDone={onClose} />
      ) : (
        <form
          noValidate
          onSubmit={form.handleSubmit(async (input) => {
            const saved = await update
              .mutateAsync({ webhook_id: webhook.id, ...input, url: input.url.trim(), enabled })
              .catch(() => undefined);
            if (!saved) return;
            toast.success(`Webhook to ${saved.url} saved.`);
            onClose();
          })}
        >
          <WebhookFields form={form} />
          <label className="inline field">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            Enabled — send events to this URL (turning it off drops queued retries)
          </label>
          <ErrorMessage error={update.error} title="Not saved" />
          <footer className="dialog-footer">
            <ConfirmButton
              label="Rotate secret"
              title="Rotate the signing secret?"
              message={
                <p>
                  A new signing secret replaces the current one at once: the receiver must be given the new
                  one, or it will reject Portico's events.
                </p>
              }
              onConfirm={() =>
                update.mutateAsync({ webhook_id: webhook.id, rotate_secret: true }).then(
                  (r) => setSecret(r.secret),
                  (e: unknown) => toast.error(e),
                )
              }
            />
            <button type="button" className="secondary" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" disabled={update.isPending}>
              Save
            </button>
          </footer>
        </form>
      )}
    </Dialog>
  );
}
