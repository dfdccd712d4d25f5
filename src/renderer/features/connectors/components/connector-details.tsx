// A connector's facts, with Refresh (MCP servers, documents Portico can re-read) and Delete.
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ToolOutput } from '../../../../shared/registry';
import { Badge } from '../../../common/controls';
import { ConfirmButton } from '../../../common/dialog';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { Section } from '../../../common/page';
import { refetchTools, useToolMutation } from '../../../common/queries';
import { callTool } from '../../../common/registry';
import { navigate } from '../../../common/router';

type Connector = ToolOutput<'get_connector'>;
type Refreshed = ToolOutput<'refresh_connector'>;

function names(list: string[]): string {
  return list.length > 8 ? `${list.slice(0, 8).join(', ')} and ${list.length - 8} more` : list.join(', ');
}

function RefreshResult({ result }: { result: Refreshed }) {
  const { added, removed, actions } = result;
  return (
    <div className="ok-box" role="status">
      Refreshed: {actions.length} actions.{' '}
      {added.length || removed.length ? (
        <>
          {added.length > 0 && <>Added {names(added)}. </>}
          {removed.length > 0 && <>Removed {names(removed)}.</>}
        </>
      ) : (
        'Nothing changed.'
      )}
    </div>
  );
}

export function ConnectorDetails({
  connector,
  onDeleting,
}: {
  connector: Connector;
  /** While a delete runs, the page stops reading the connector (live updates would refetch a deleted one). */
  onDeleting(deleting: boolean): void;
}) {
  const refresh = useToolMutation('refresh_connector');
  const client = useQueryClient();
  const [deleteError, setDeleteError] = useState<unknown>();
  const toast = useToast();
  const [refreshed, setRefreshed] = useState<Refreshed>();
  const canRefresh = connector.kind === 'mcp' || Boolean(connector.openapi_source || connector.catalog_id);
  const onRefresh = () => {
    setRefreshed(undefined);
    refresh.mutate(
      { connector_id: connector.id },
      {
        onSuccess: (value) => {
          setRefreshed(value);
          toast.success(`Refreshed ${connector.name}.`);
        },
        onError: (error) => toast.error(error),
      },
    );
  };
  // Leave the page before lists refetch: this page's own reads would now fail.
  const onDelete = () => {
    onDeleting(true);
    setDeleteError(undefined);
    return callTool('delete_connector', { connector_id: connector.id }).then(
      (value) => {
        navigate('/connectors');
        toast.success(value.message);
        void refetchTools(client);
      },
      (error: unknown) => {
        onDeleting(false);
        setDeleteError(error);
        toast.error(error);
      },
    );
  };
  return (
    <Section
      title="Details"
      actions={
        <>
          {canRefresh && (
            <button
              type="button"
              className="secondary small"
              disabled={refresh.isPending}
              onClick={onRefresh}
            >
              {refresh.isPending ? 'Refreshing…' : 'Refresh'}
            </button>
          )}
          <ConfirmButton
            label="Delete"
            title={`Delete ${connector.name}?`}
            message={
              <p>
                Its {connector.action_count} actions and its auth config are deleted, and its tools disappear
                for every customer. Portico refuses while connections or customers' selections use it.
              </p>
            }
            confirmLabel="Delete connector"
            onConfirm={onDelete}
          />
        </>
      }
    >
      <dl className="props">
        <dt>Kind</dt>
        <dd>
          <Badge>
            {connector.kind === 'mcp' ? `MCP server (${connector.transport ?? '?'})` : 'HTTP API'}
          </Badge>
        </dd>
        <dt>Slug</dt>
        <dd>
          <code>{connector.slug}</code> — its tools are named <code>{connector.slug}__…</code>
        </dd>
        {connector.base_url && (
          <>
            <dt>Base URL</dt>
            <dd>
              <code>{connector.base_url}</code>
            </dd>
          </>
        )}
        {connector.command && (
          <>
            <dt>Command</dt>
            <dd>
              <code>{[connector.command, ...(connector.args ?? [])].join(' ')}</code>
            </dd>
          </>
        )}
        {connector.url && (
          <>
            <dt>URL</dt>
            <dd>
              <code>{connector.url}</code>
            </dd>
          </>
        )}
        {connector.env && Object.keys(connector.env).length > 0 && (
          <>
            <dt>Environment</dt>
            <dd>{Object.keys(connector.env).join(', ')} (values hidden)</dd>
          </>
        )}
        {connector.headers && Object.keys(connector.headers).length > 0 && (
          <>
            <dt>Headers</dt>
            <dd>{Object.keys(connector.headers).join(', ')} (values hidden)</dd>
          </>
        )}
        <dt>Actions</dt>
        <dd>
          {connector.enabled_action_count} of {connector.action_count} enabled
        </dd>
        <dt>Connections</dt>
        <dd>{connector.connection_count}</dd>
        {(connector.openapi_source || connector.catalog_id) && (
          <>
            <dt>Source</dt>
            <dd>{connector.openapi_source ?? `catalog entry "${connector.catalog_id}"`}</dd>
          </>
        )}
      </dl>
      {refreshed && <RefreshResult result={refreshed} />}
      <ErrorMessage error={refresh.error} title="Refresh failed" />
      <ErrorMessage error={deleteError} title="Not deleted" />
    </Section>
  );
}
