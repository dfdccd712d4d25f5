// Creating a webhook; its signing secret is shown once, then only masked.
import { useState } from 'react';
import { Dialog } from '../../../common/dialog';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import { SecretOnce } from './secret-once';
import { useWebhookForm, WebhookFields } from './webhook-fields';

const EMPTY = { url: '', events: ['tool.called', 'tool.failed'], description: '' };

export function CreateWebhookDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const create = useToolMutation('create_webhook');
  const toast = useToast();
  const [secret, setSecret] = useState<string | undefined>();
  const form = useWebhookForm(EMPTY);
  const close = () => {
    setSecret(undefined);
    form.reset(EMPTY);
    create.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title={secret ? 'Webhook created' : 'Create a webhook'}>
      {secret ? (
        <SecretOnce secret={secret} onDone={close} />
      ) : (
        <form
          noValidate
          onSubmit={form.handleSubmit(async (input) => {
            const created = await create
              .mutateAsync({ ...input, url: input.url.trim() })
              .catch(() => undefined);
            if (!created) return;
            toast.success(`Webhook to ${created.url} created.`);
            setSecret(created.secret);
          })}
        >
          <WebhookFields form={form} />
          <ErrorMessage error={create.error} title="Not created" />
          <footer className="dialog-footer">
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
            <button type="submit" disabled={create.isPending}>
              Create webhook
            </button>
          </footer>
        </form>
      )}
    </Dialog>
  );
}
