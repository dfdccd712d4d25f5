// The workspace's connectors, page by page through list_connectors' cursor.
import type { ToolOutput } from '../../../../shared/registry';
import { Badge } from '../../../common/controls';
import { Empty, QueryState } from '../../../common/feedback';
import type { useToolPages } from '../../../common/queries';

type Connector = ToolOutput<'list_connectors'>['connectors'][number];

export function ConnectorTable({ pages }: { pages: ReturnType<typeof useToolPages<'list_connectors'>> }) {
  if (!pages.data) return <QueryState query={pages} what="connectors" />;
  const connectors: Connector[] = pages.data.pages.flatMap((p) => p.connectors);
  if (!connectors.length)
    return (
      <Empty>
        No connectors yet. Add one from the catalog below, import an OpenAPI document or add an MCP server.
      </Empty>
    );
  return (
    <>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Slug</th>
            <th scope="col">Kind</th>
            <th scope="col">Actions</th>
            <th scope="col">Connections</th>
          </tr>
        </thead>
        <tbody>
          {connectors.map((c) => (
            <tr key={c.id}>
              <td>
                <a href={`#/connectors/${encodeURIComponent(c.id)}`}>{c.name}</a>
              </td>
              <td>
                <code>{c.slug}</code>
              </td>
              <td>
                <Badge>{c.kind === 'mcp' ? `MCP (${c.transport ?? '?'})` : 'HTTP'}</Badge>
              </td>
              <td>
                {c.enabled_action_count === c.action_count
                  ? c.action_count
                  : `${c.enabled_action_count} of ${c.action_count} enabled`}
              </td>
              <td>{c.connection_count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pages.hasNextPage && (
        <button
          type="button"
          className="secondary small load-more"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          {pages.isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      )}
    </>
  );
}
