// The fields create and edit share: URL, events, description — validated before anything is sent.
import { Controller } from 'react-hook-form';
import { Field } from '../../../common/controls';
import { fieldError, useSchemaForm } from '../../../common/form';
import { type WebhookFormValues, webhookFormSchema } from '../lib/webhook-form';
import { EventsChecklist } from './events-checklist';

export function useWebhookForm(defaults: WebhookFormValues) {
  return useSchemaForm(webhookFormSchema, defaults);
}

export type WebhookForm = ReturnType<typeof useWebhookForm>;

export function WebhookFields({ form }: { form: WebhookForm }) {
  const errors = form.formState.errors as Record<string, unknown>;
  return (
    <>
      <Field
        label="Receiver URL"
        error={fieldError(errors, 'url')}
        hint="Portico POSTs signed events here (http or https)."
      >
        {(props) => (
          <input {...props} type="text" inputMode="url" autoComplete="off" {...form.register('url')} />
        )}
      </Field>
      <Controller
        control={form.control}
        name="events"
        render={({ field }) => (
          <EventsChecklist
            value={field.value ?? []}
            onChange={(next) => field.onChange(next)}
            error={fieldError(errors, 'events')}
          />
        )}
      />
      <Field label="Description (optional)" error={fieldError(errors, 'description')}>
        {(props) => <input {...props} {...form.register('description')} />}
      </Field>
    </>
  );
}
