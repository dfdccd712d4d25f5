// Ready-made connectors, added in one click; entries already in the workspace are marked.
import type { ToolOutput } from '../../../../shared/registry';
import { Badge } from '../../../common/controls';
import { Empty, QueryState, useToast } from '../../../common/feedback';
import { Section } from '../../../common/page';
import { useTool, useToolMutation } from '../../../common/queries';

type Entry = ToolOutput<'list_catalog'>['entries'][number];

export function CatalogSection({ added }: { added: ReadonlyMap<string, string> }) {
  const catalog = useTool('list_catalog', { limit: 500 });
  const add = useToolMutation('add_catalog_connector');
  const toast = useToast();
  const onAdd = (entry: Entry) =>
    add.mutate(
      { catalog_id: entry.catalog_id },
      {
        onSuccess: (value) =>
          toast.success(
            `Added ${value.name}${value.actions.length ? ` with ${value.actions.length} actions` : ''}. ${value.credentials_hint}`,
          ),
        onError: (error) => toast.error(error),
      },
    );
  return (
    <Section title="Catalog">
      {!catalog.data ? (
        <QueryState query={catalog} what="the catalog" />
      ) : catalog.data.entries.length === 0 ? (
        <Empty>The catalog is empty.</Empty>
      ) : (
        <ul className="catalog">
          {catalog.data.entries.map((entry) => {
            const id = added.get(entry.catalog_id);
            const busy = add.isPending && add.variables?.catalog_id === entry.catalog_id;
            return (
              <li key={entry.catalog_id} className="catalog-entry">
                <div className="catalog-head">
                  <h3>{entry.name}</h3>
                  <Badge>{entry.kind === 'mcp' ? 'MCP server' : 'HTTP API'}</Badge>
                </div>
                <p className="small-text muted">{entry.description}</p>
                <div className="inline">
                  {id ? (
                    <>
                      <Badge tone="ok">Added</Badge>
                      <a href={`#/connectors/${encodeURIComponent(id)}`}>Open {entry.name}</a>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="small"
                      aria-label={`Add ${entry.name}`}
                      disabled={busy}
                      onClick={() => onAdd(entry)}
                    >
                      {busy ? 'Adding…' : 'Add'}
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}
