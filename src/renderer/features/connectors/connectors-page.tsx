// Connectors: the workspace's own, the catalog (one click), an OpenAPI import, an MCP server.
import { useMemo, useState } from 'react';
import { Page, Section } from '../../common/page';
import { useToolPages } from '../../common/queries';
import { AddMcpDialog } from './components/add-mcp-dialog';
import { CatalogSection } from './components/catalog-section';
import { ConnectorTable } from './components/connector-table';
import { ImportOpenApiDialog } from './components/import-openapi-dialog';
import './connectors.css';

export default function ConnectorsPage() {
  const pages = useToolPages('list_connectors', { limit: 200 });
  const [dialog, setDialog] = useState<'import' | 'mcp' | undefined>();
  // catalog id → connector id, from the connectors loaded so far.
  const added = useMemo(() => {
    const map = new Map<string, string>();
    for (const page of pages.data?.pages ?? [])
      for (const c of page.connectors)
        if (c.catalog_id && !map.has(c.catalog_id)) map.set(c.catalog_id, c.id);
    return map;
  }, [pages.data]);
  return (
    <Page
      title="Connectors"
      actions={
        <>
          <button type="button" onClick={() => setDialog('import')}>
            Import OpenAPI
          </button>
          <button type="button" className="secondary" onClick={() => setDialog('mcp')}>
            Add MCP server
          </button>
        </>
      }
    >
      <Section title="Your connectors">
        <ConnectorTable pages={pages} />
      </Section>
      <CatalogSection added={added} />
      <ImportOpenApiDialog open={dialog === 'import'} onClose={() => setDialog(undefined)} />
      <AddMcpDialog open={dialog === 'mcp'} onClose={() => setDialog(undefined)} />
    </Page>
  );
}
