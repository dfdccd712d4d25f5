// The events a webhook subscribes to, as checkboxes: "All events" (*) or any of the types. A
// pattern set elsewhere (e.g. "connection.*" from the CLI) is listed too, so editing keeps it.
import { useId } from 'react';
import { SUBSCRIBABLE_EVENTS } from '../lib/webhook-form';

export function EventsChecklist({
  value,
  onChange,
  error,
}: {
  value: readonly string[];
  onChange(next: string[]): void;
  error?: string;
}) {
  const id = useId();
  const all = value.includes('*');
  const options = [
    ...SUBSCRIBABLE_EVENTS,
    ...value.filter((v) => v !== '*' && !SUBSCRIBABLE_EVENTS.includes(v)),
  ];
  const toggle = (event: string, on: boolean) =>
    onChange(on ? [...value.filter((v) => v !== event), event] : value.filter((v) => v !== event));
  return (
    <fieldset className="events-checklist" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>Events</legend>
      <label className="inline">
        <input type="checkbox" checked={all} onChange={(e) => onChange(e.target.checked ? ['*'] : [])} />
        All events (<code>*</code>), including ones added later
      </label>
      <div className="events-grid">
        {options.map((event) => (
          <label key={event} className="inline">
            <input
              type="checkbox"
              disabled={all}
              checked={all || value.includes(event)}
              onChange={(e) => toggle(event, e.target.checked)}
            />
            <code>{event}</code>
          </label>
        ))}
      </div>
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  );
}
