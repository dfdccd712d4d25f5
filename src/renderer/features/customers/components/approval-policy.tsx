// A customer's approval policy (set_approval_policy): which of its agents' calls wait for a
// person's decision, how long they wait, and the tools with a policy of their own.
import { useEffect } from 'react';
import type { z } from 'zod';
import { type approvalPolicyOutput, setApprovalPolicy } from '../../../../shared/admin/approvals';
import { Field } from '../../../common/controls';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { fieldError, useSchemaForm } from '../../../common/form';
import { Section } from '../../../common/page';
import { useToolMutation } from '../../../common/queries';
import { ApprovalExceptions } from './approval-exceptions';
import './governance.css';

type Policy = z.infer<typeof approvalPolicyOutput>;

export const POLICY_TEXT = {
  never: 'Never — calls run at once',
  destructive: 'Destructive calls wait (tools that may delete or change data)',
  always: 'Every call waits',
} as const;

const schema = setApprovalPolicy.input.pick({ policy: true, timeout_s: true }).required();

export function ApprovalPolicySection({ customerId, approvals }: { customerId: string; approvals: Policy }) {
  const save = useToolMutation('set_approval_policy');
  const toast = useToast();
  const saved = { policy: approvals.policy, timeout_s: approvals.timeout_s };
  const form = useSchemaForm(schema, saved);
  const errors = form.formState.errors as Record<string, unknown>;
  const { reset } = form;
  const { isDirty } = form.formState;
  // Another customer: start from its saved policy.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the customer on purpose
  useEffect(() => reset(saved), [customerId, reset]);
  // Changed elsewhere (CLI, another tab): shown, unless the user is editing (their edits stay).
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the saved values on purpose
  useEffect(() => {
    if (!isDirty) reset(saved);
  }, [approvals.policy, approvals.timeout_s, reset]);
  return (
    <Section title="Approvals">
      <p className="muted">
        A call that waits is shown under <a href="#/approvals">Approvals</a> (and asked in the AI client when
        it can) until someone allows or denies it; no decision in time denies it.
      </p>
      <form
        noValidate
        className="approval-policy-form"
        onSubmit={form.handleSubmit((input) =>
          save.mutateAsync({ customer_id: customerId, ...input }).then(
            (r) => {
              toast.success(r.message);
              reset({ policy: r.policy, timeout_s: r.timeout_s });
            },
            (e: unknown) => toast.error(e),
          ),
        )}
      >
        <Field label="Approval policy" error={fieldError(errors, 'policy')}>
          {(props) => (
            <select {...props} {...form.register('policy')}>
              {Object.entries(POLICY_TEXT).map(([value, text]) => (
                <option key={value} value={value}>
                  {text}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Timeout (seconds)"
          error={fieldError(errors, 'timeout_s')}
          hint="How long a call waits for a decision before it is denied (5–3600)."
        >
          {(props) => (
            <input
              {...props}
              type="number"
              inputMode="numeric"
              min={5}
              max={3600}
              {...form.register('timeout_s', { valueAsNumber: true })}
            />
          )}
        </Field>
        <div className="approval-policy-save">
          <button type="submit" disabled={save.isPending}>
            Save approval policy
          </button>
        </div>
      </form>
      <ErrorMessage error={save.error} title="Not saved" />
      <ApprovalExceptions customerId={customerId} exceptions={approvals.actions} />
    </Section>
  );
}
