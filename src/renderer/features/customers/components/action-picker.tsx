// One connector's actions in the exposure editor: all of them, or only the checked ones. A
// connector can have over a thousand actions, so they are searched on the server, fetched page by
// page and virtualized.
import { useId, useState } from 'react';
import { Empty, QueryState } from '../../../common/feedback';
import { useToolPages } from '../../../common/queries';
import { VirtualList } from '../../../common/virtual-list';
import { useDebouncedValue } from '../hooks/use-debounced-value';
import { type ExposureDraft, setActions, toggleAction } from '../lib/exposure-draft';

const ROW_HEIGHT = 32;

export function ActionPicker({
  connector,
  draft,
  onChange,
}: {
  connector: { id: string; name: string; enabled_action_count: number };
  draft: ExposureDraft;
  onChange(next: ExposureDraft): void;
}) {
  const id = useId();
  const [search, setSearch] = useState('');
  const query = useDebouncedValue(search.trim());
  const pages = useToolPages('list_actions', {
    connector_id: connector.id,
    enabled: true,
    limit: 200,
    ...(query ? { query } : {}),
  });
  const actions = pages.data?.pages.flatMap((p) => p.actions) ?? [];
  const only = draft.actions[connector.id];
  const checked = new Set(only ?? []);
  return (
    <div className="action-picker">
      <fieldset>
        <legend>Actions of {connector.name}</legend>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-which`}
            checked={!only}
            onChange={() => onChange(setActions(draft, connector.id, undefined))}
          />
          All {connector.enabled_action_count} enabled actions
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-which`}
            checked={Boolean(only)}
            onChange={() => onChange(setActions(draft, connector.id, []))}
          />
          Only the checked actions{only ? ` (${only.length} checked)` : ''}
        </label>
        <div className="field">
          <label htmlFor={`${id}-search`}>Search {connector.name}'s actions</label>
          <input
            id={`${id}-search`}
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <QueryState query={pages} what="actions" />
        {pages.data &&
          (actions.length === 0 ? (
            <Empty>
              {query ? `No action matches "${query}".` : 'This connector has no enabled actions.'}
            </Empty>
          ) : (
            <VirtualList
              label={`Actions of ${connector.name}`}
              items={actions}
              rowHeight={ROW_HEIGHT}
              height={Math.min(260, actions.length * ROW_HEIGHT + 2)}
              hasMore={pages.hasNextPage && !pages.isFetchingNextPage}
              loadMore={() => void pages.fetchNextPage()}
              renderRow={(action) => (
                <div className="action-row">
                  <input
                    type="checkbox"
                    id={`${id}-a-${action.name}`}
                    disabled={!only}
                    checked={!only || checked.has(action.name)}
                    onChange={(e) =>
                      onChange(toggleAction(draft, connector.id, action.name, e.target.checked))
                    }
                  />
                  <label htmlFor={`${id}-a-${action.name}`} title={action.description}>
                    {action.name}
                    {action.method && (
                      <span className="muted">
                        {' '}
                        {action.method} {action.path}
                      </span>
                    )}
                  </label>
                </div>
              )}
            />
          ))}
      </fieldset>
    </div>
  );
}
