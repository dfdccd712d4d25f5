// A connector's actions, virtualized and fetched page by page through list_actions' cursor (a
// 1,223-action connector stays fast), searched on the server, each with its on/off switch.
import { useState } from 'react';
import type { ToolOutput } from '../../../../shared/registry';
import { Badge, Field, Switch } from '../../../common/controls';
import { Empty, QueryState, useToast } from '../../../common/feedback';
import { Section } from '../../../common/page';
import { useToolMutation, useToolPages } from '../../../common/queries';
import { VirtualList } from '../../../common/virtual-list';
import { useDebounced } from '../hooks/use-debounced';

export type ActionSummary = ToolOutput<'list_actions'>['actions'][number];

function ActionRow({
  action,
  connectorId,
  onTry,
}: {
  action: ActionSummary;
  connectorId: string;
  onTry(action: ActionSummary): void;
}) {
  const toggle = useToolMutation('set_action_enabled');
  const toast = useToast();
  // Shown at once; the refetch that follows the write confirms it.
  const [pending, setPending] = useState<boolean>();
  const enabled = pending ?? action.enabled;
  return (
    <div className="action-row">
      <Switch
        label={`${action.name} enabled`}
        checked={enabled}
        disabled={toggle.isPending}
        onChange={(next) => {
          setPending(next);
          toggle.mutate(
            { connector_id: connectorId, action: action.name, enabled: next },
            {
              onSuccess: () => toast.success(`${action.name} ${next ? 'enabled' : 'disabled'}.`),
              onError: (error) => toast.error(error),
              onSettled: () => setPending(undefined),
            },
          );
        }}
      />
      <div className="action-text">
        <div className="action-title">
          <code>{action.name}</code>
          {action.method && <Badge>{action.method}</Badge>}
          {action.path && <code className="muted">{action.path}</code>}
        </div>
        <div className="action-description muted" title={action.description}>
          {action.description || action.title || '—'}
        </div>
      </div>
      <button
        type="button"
        className="secondary small"
        aria-label={`Try it: ${action.name}`}
        onClick={() => onTry(action)}
      >
        Try it
      </button>
    </div>
  );
}

export function ActionList({
  connectorId,
  onTry,
}: {
  connectorId: string;
  onTry(action: ActionSummary): void;
}) {
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim());
  const pages = useToolPages('list_actions', {
    connector_id: connectorId,
    limit: 100,
    ...(query ? { query } : {}),
  });
  const actions = pages.data?.pages.flatMap((p) => p.actions) ?? [];
  const total = pages.data?.pages[0]?.total;
  return (
    <Section title={total === undefined ? 'Actions' : `Actions (${total.toLocaleString('en')})`}>
      <Field label="Search actions" hint="By name or description.">
        {(props) => (
          <input {...props} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        )}
      </Field>
      {!pages.data ? (
        <QueryState query={pages} what="actions" />
      ) : actions.length === 0 ? (
        <Empty>{query ? `No action matches "${query}".` : 'This connector has no actions yet.'}</Empty>
      ) : (
        <VirtualList
          items={actions}
          rowHeight={64}
          height={440}
          label="Actions"
          hasMore={pages.hasNextPage && !pages.isFetchingNextPage}
          loadMore={() => void pages.fetchNextPage()}
          renderRow={(action) => (
            <ActionRow key={action.name} action={action} connectorId={connectorId} onTry={onTry} />
          )}
        />
      )}
      {pages.data && <QueryState query={{ isPending: false, error: pages.error }} what="more actions" />}
    </Section>
  );
}
