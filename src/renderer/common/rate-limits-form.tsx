// A customer's or a gateway key's rate limits (set_rate_limits): calls per minute and calls at
// once, each optional — an empty field means no limit. Validated with the contract's own rules.
// Shared by the customer page and the keys page.
import { useEffect } from 'react';
import { setRateLimits } from '../../shared/admin/governance';
import { Field } from './controls';
import { ErrorMessage, useToast } from './feedback';
import { fieldError, useSchemaForm } from './form';
import { useToolMutation } from './queries';
import './rate-limits-form.css';

const schema = setRateLimits.input.pick({ calls_per_minute: true, concurrent: true });

export type RateLimits = { calls_per_minute: number | null; concurrent: number | null } | undefined;
export type LimitsTarget = { customer_id: string } | { key_id: string };

/** The two limits, each a whole number field (the same input, its own label). */
const LIMIT_FIELDS = [
  ['calls_per_minute', 'Calls per minute'],
  ['concurrent', 'Concurrent calls'],
] as const;

// An empty field clears the limit (null), as set_rate_limits reads it.
const asLimit = (v: unknown) => (v === '' || v === null || v === undefined ? null : Number(v));

export function RateLimitsForm({
  target,
  limits,
  onSaved,
  onCancel,
  inSection,
}: {
  target: LimitsTarget;
  /** On a page rather than in a dialog: the buttons sit on the left. */
  inSection?: boolean;
  limits: RateLimits;
  onSaved?(): void;
  onCancel?(): void;
}) {
  const save = useToolMutation('set_rate_limits');
  const toast = useToast();
  const current = {
    calls_per_minute: limits?.calls_per_minute ?? null,
    concurrent: limits?.concurrent ?? null,
  };
  const form = useSchemaForm(schema, current);
  const errors = form.formState.errors as Record<string, unknown>;
  const { reset } = form;
  const who = 'customer_id' in target ? target.customer_id : target.key_id;
  const { isDirty } = form.formState;
  // Another customer or key: start from its saved limits.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the target on purpose
  useEffect(() => reset(current), [who, reset]);
  // Changed elsewhere (CLI, another tab): shown, unless the user is editing (their edits stay).
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the saved values on purpose
  useEffect(() => {
    if (!isDirty) reset(current);
  }, [current.calls_per_minute, current.concurrent, reset]);
  const submit = (values: { calls_per_minute?: number | null; concurrent?: number | null }) =>
    save
      .mutateAsync({
        ...target,
        calls_per_minute: values.calls_per_minute ?? null,
        concurrent: values.concurrent ?? null,
      })
      .then(
        (r) => {
          toast.success(r.message);
          reset({ calls_per_minute: r.limits.calls_per_minute, concurrent: r.limits.concurrent });
          onSaved?.();
        },
        (e: unknown) => toast.error(e),
      );
  return (
    <form
      noValidate
      className={inSection ? 'limits-form in-section' : 'limits-form'}
      onSubmit={form.handleSubmit(submit)}
    >
      <div className="limits-fields">
        {LIMIT_FIELDS.map(([name, label]) => (
          <Field key={name} label={label} error={fieldError(errors, name)} hint="Empty: no limit.">
            {(props) => (
              <input
                {...props}
                type="number"
                inputMode="numeric"
                min={1}
                {...form.register(name, { setValueAs: asLimit })}
              />
            )}
          </Field>
        ))}
      </div>
      <ErrorMessage error={save.error} title="Not saved" />
      <footer className="dialog-footer">
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button
          type="button"
          className="secondary"
          disabled={save.isPending || (!current.calls_per_minute && !current.concurrent)}
          onClick={() => void submit({ calls_per_minute: null, concurrent: null })}
        >
          Clear limits
        </button>
        <button type="submit" disabled={save.isPending}>
          Save limits
        </button>
      </footer>
    </form>
  );
}
