// The exposure editor's list of every connector: checked ones are exposed ("Selected only"), and
// each opens to its actions. With "All connectors" the checks follow the customer's connections.
import { useState } from 'react';
import { Badge } from '../../../common/controls';
import { Empty, QueryState } from '../../../common/feedback';
import { useToolPages } from '../../../common/queries';
import { type ExposureDraft, toggleConnector } from '../lib/exposure-draft';
import { ActionPicker } from './action-picker';

export function ConnectorChecklist({
  draft,
  onChange,
  connected,
}: {
  draft: ExposureDraft;
  onChange(next: ExposureDraft): void;
  /** Connector ids the customer has a connection for. */
  connected: ReadonlySet<string>;
}) {
  const pages = useToolPages('list_connectors', { limit: 200 });
  const [open, setOpen] = useState<string | undefined>();
  const connectors = pages.data?.pages.flatMap((p) => p.connectors) ?? [];
  const all = draft.mode === 'all';
  return (
    <fieldset>
      <legend>Connectors</legend>
      {all && (
        <p className="field-hint">
          Every connector the customer has a connection for is exposed; choose "Selected only" to pick them.
        </p>
      )}
      <QueryState query={pages} what="connectors" />
      {pages.data && connectors.length === 0 && (
        <Empty>
          No connectors yet. <a href="#/connectors">Add one</a> first.
        </Empty>
      )}
      <ul className="connector-checklist">
        {connectors.map((c) => {
          const restricted = draft.actions[c.id];
          const actionsLabel = restricted
            ? `${restricted.length} of ${c.enabled_action_count} actions`
            : `${c.enabled_action_count} ${c.enabled_action_count === 1 ? 'action' : 'actions'}`;
          return (
            <li key={c.id}>
              <div className="connector-line">
                <label className="choice">
                  <input
                    type="checkbox"
                    disabled={all}
                    checked={all ? connected.has(c.id) : draft.connectorIds.has(c.id)}
                    onChange={(e) => onChange(toggleConnector(draft, c.id, e.target.checked))}
                  />
                  <span>
                    {c.name} <code>{c.slug}</code>
                  </span>
                </label>
                <span className="inline">
                  {!connected.has(c.id) && <Badge tone="warn">no connection</Badge>}
                  <button
                    type="button"
                    className="secondary small"
                    aria-expanded={open === c.id}
                    aria-label={`${actionsLabel} of ${c.name}`}
                    onClick={() => setOpen(open === c.id ? undefined : c.id)}
                  >
                    {actionsLabel}
                  </button>
                </span>
              </div>
              {open === c.id && <ActionPicker connector={c} draft={draft} onChange={onChange} />}
            </li>
          );
        })}
      </ul>
      {pages.hasNextPage && (
        <button type="button" className="secondary small" onClick={() => void pages.fetchNextPage()}>
          More connectors
        </button>
      )}
    </fieldset>
  );
}
