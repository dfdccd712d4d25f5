// The filter bar: the lists apply at once, the text and time fields on Apply (or Enter).
import { useEffect, useState } from 'react';
import { ENTRY_POINTS } from '../../../../shared/schemas/activity';
import { Field } from '../../../common/controls';
import { type FilterValues, NO_FILTERS } from '../lib/filters';

const ENTRY_POINT_TEXT: Record<(typeof ENTRY_POINTS)[number], string> = {
  mcp: 'MCP client',
  api: 'Web UI / API',
  ipc: 'Desktop window',
  cli: 'CLI',
  tray: 'Tray',
  oauth: 'OAuth redirect',
  internal: 'Internal',
};

function Choice({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: readonly (readonly [string, string])[];
  onChange(value: string): void;
}) {
  return (
    <Field label={label}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">Any</option>
          {options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function ActivityFilters({
  value,
  onApply,
}: {
  value: FilterValues;
  onApply(next: FilterValues): void;
}) {
  const [draft, setDraft] = useState(value);
  // The address changed (back button, a link): show what is applied.
  useEffect(() => setDraft(value), [value]);
  const set = (name: keyof FilterValues) => (next: string) => setDraft((d) => ({ ...d, [name]: next }));
  const choose = (name: keyof FilterValues) => (next: string) => onApply({ ...draft, [name]: next });
  const text = (name: keyof FilterValues, label: string, hint?: string, type = 'text') => (
    <Field label={label} hint={hint}>
      {(props) => (
        <input {...props} type={type} value={draft[name]} onChange={(e) => set(name)(e.target.value)} />
      )}
    </Field>
  );
  return (
    <form
      className="activity-filters"
      aria-label="Filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <Choice
        label="Plane"
        value={draft.plane}
        options={[
          ['admin', 'Admin (control plane)'],
          ['gateway', 'Gateway (data plane)'],
        ]}
        onChange={choose('plane')}
      />
      <Choice
        label="Entry point"
        value={draft.entry_point}
        options={ENTRY_POINTS.map((e) => [e, ENTRY_POINT_TEXT[e]] as const)}
        onChange={choose('entry_point')}
      />
      <Choice
        label="Outcome"
        value={draft.outcome}
        options={[
          ['ok', 'Succeeded'],
          ['error', 'Failed'],
        ]}
        onChange={choose('outcome')}
      />
      {text('customer_id', 'Customer id')}
      {text('tool', 'Tool (exact name)')}
      {text('key_id', 'Key id')}
      {text('from', 'From', undefined, 'datetime-local')}
      {text('to', 'To (before)', undefined, 'datetime-local')}
      <div className="activity-filter-buttons">
        <button type="submit">Apply</button>
        <button type="button" className="secondary" onClick={() => onApply(NO_FILTERS)}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
