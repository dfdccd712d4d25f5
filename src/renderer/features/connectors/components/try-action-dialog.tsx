// "Try it": run one action as a chosen customer through the gateway's own pipeline — a dry run
// shows the exact request (secrets masked), a real run its result.
import { useEffect, useState } from 'react';
import { Field } from '../../../common/controls';
import { Dialog } from '../../../common/dialog';
import { Empty, ErrorMessage, QueryState } from '../../../common/feedback';
import { useTool, useToolMutation } from '../../../common/queries';
import { useDebounced } from '../hooks/use-debounced';
import { exampleArguments, parseArguments } from '../lib/example-arguments';
import { TestResult } from './test-result';

function CustomerPicker({ value, onChange }: { value: string; onChange(id: string): void }) {
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim());
  const customers = useTool('list_customers', { limit: 50, ...(query ? { query } : {}) });
  const list = customers.data?.customers ?? [];
  const first = list[0]?.id;
  // Choose the first match when the current choice is not among them.
  useEffect(() => {
    if (first && !list.some((c) => c.id === value)) onChange(first);
  }, [first, list, value, onChange]);
  if (!customers.data) return <QueryState query={customers} what="customers" />;
  if (!query && list.length === 0)
    return (
      <Empty>
        No customers yet. <a href="#/customers">Create one</a> to try actions as them.
      </Empty>
    );
  return (
    <div className="form-columns">
      <Field
        label="Find a customer"
        hint={`${customers.data.total} match${customers.data.total === 1 ? '' : 'es'}`}
      >
        {(props) => (
          <input {...props} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        )}
      </Field>
      <Field label="Run as customer">
        {(props) => (
          <select {...props} value={value} onChange={(e) => onChange(e.target.value)}>
            {list.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.id})
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}

export function TryActionDialog({
  connectorId,
  action,
  onClose,
}: {
  connectorId: string;
  action: string | undefined;
  onClose(): void;
}) {
  return (
    <Dialog open={action !== undefined} onClose={onClose} title={`Try ${action ?? ''}`} wide>
      {action !== undefined && <TryAction key={action} connectorId={connectorId} action={action} />}
    </Dialog>
  );
}

function TryAction({ connectorId, action }: { connectorId: string; action: string }) {
  const detail = useTool('get_action', { connector_id: connectorId, action });
  const test = useToolMutation('test_action');
  const [customer, setCustomer] = useState('');
  const [text, setText] = useState<string>();
  const [argsError, setArgsError] = useState<string>();
  const example = detail.data ? exampleArguments(detail.data.input_schema) : undefined;
  const args = text ?? example?.text ?? '{}';
  const run = (dryRun: boolean) => {
    const parsed = parseArguments(args);
    if ('error' in parsed) {
      setArgsError(parsed.error);
      return;
    }
    setArgsError(undefined);
    test.mutate({
      customer_id: customer,
      connector_id: connectorId,
      action,
      arguments: parsed.value,
      dry_run: dryRun,
    });
  };
  if (!detail.data) return <QueryState query={detail} what="the action" />;
  return (
    <div className="dialog-body">
      <p className="muted try-description" title={detail.data.description}>
        {detail.data.description || detail.data.title}
      </p>
      <CustomerPicker value={customer} onChange={setCustomer} />
      <Field
        label="Arguments (JSON)"
        error={argsError}
        hint={example?.optional.length ? `Optional: ${example.optional.join(', ')}` : undefined}
      >
        {(props) => (
          <textarea {...props} spellCheck={false} value={args} onChange={(e) => setText(e.target.value)} />
        )}
      </Field>
      <div className="inline">
        <button
          type="button"
          className="secondary"
          disabled={!customer || test.isPending}
          onClick={() => run(true)}
        >
          Dry run
        </button>
        <button type="button" disabled={!customer || test.isPending} onClick={() => run(false)}>
          Run
        </button>
        {test.isPending && (
          <span className="muted">{test.variables?.dry_run ? 'Preparing…' : 'Calling…'}</span>
        )}
      </div>
      <ErrorMessage error={test.error} />
      {test.data && !test.isPending && <TestResult tested={test.data} />}
    </div>
  );
}
