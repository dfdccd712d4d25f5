// One customer: its gateway (data-plane) URL, its connections, the exact tools its agents get, and
// Configure — which connectors and actions it exposes, and how.
import { useState } from 'react';
import { CopyableUrl } from '../../common/controls';
import { ErrorMessage, Loading } from '../../common/feedback';
import { limitsText } from '../../common/limits-text';
import { Page, Section } from '../../common/page';
import { useTool } from '../../common/queries';
import { ConnectionsSection, useCustomerConnections } from '../connections/connections-section';
import { ApprovalPolicySection } from './components/approval-policy';
import { DeleteCustomerButton } from './components/delete-customer-button';
import { ExposureEditor } from './components/exposure-editor';
import { RateLimitsSection } from './components/rate-limits-section';
import { RenameCustomerDialog } from './components/rename-customer-dialog';
import { ToolPreview } from './components/tool-preview';
import { describeExposure } from './lib/exposure-draft';
import './customers.css';

const TOOL_MODE_TEXT = {
  direct: 'direct — every tool is listed',
  search: 'search — search_tools, describe_tool and call_tool',
  auto: 'auto — direct, search above 40 tools',
} as const;

function NotFound({ id }: { id: string }) {
  return (
    <Page title="Customer not found">
      <div className="not-found">
        <p>
          There is no customer with the id <code>{id}</code>. It may have been deleted.
        </p>
        <p>
          <a href="#/customers">Back to the customers</a>
        </p>
      </div>
    </Page>
  );
}

export default function CustomerPage({ id }: { id: string }) {
  const customer = useTool('get_customer', { customer_id: id }, { retry: false });
  const status = useTool('get_gateway_status', {});
  const connectors = useTool('list_connectors', { limit: 500 });
  const { connections } = useCustomerConnections(id);
  const [configuring, setConfiguring] = useState(false);
  const [renaming, setRenaming] = useState(false);

  if (customer.error) {
    if (/^No customer with id/.test(customer.error.message)) return <NotFound id={id} />;
    return (
      <Page title={`Customer ${id}`}>
        <ErrorMessage error={customer.error} title="Could not load the customer" />
      </Page>
    );
  }
  const c = customer.data;
  if (!c) return <Loading what="Loading the customer" />;
  const names = new Map((connectors.data?.connectors ?? []).map((x) => [x.id, x.name]));
  const connected = new Set(connections.map((x) => x.connector_id));
  const server = status.data?.url;
  return (
    <Page
      title={c.name}
      actions={
        <>
          <button type="button" className="secondary small" onClick={() => setRenaming(true)}>
            Rename
          </button>
          <DeleteCustomerButton customer={c} />
        </>
      }
    >
      <Section title="Gateway">
        <dl className="props">
          <dt>Customer id</dt>
          <dd>
            <code>{c.id}</code>
          </dd>
          <dt>Data-plane URL</dt>
          <dd>
            {server ? (
              <CopyableUrl
                url={`${server}/mcp/gateway?customer_id=${encodeURIComponent(c.id)}`}
                label="data-plane URL"
              />
            ) : status.isPending ? (
              'Loading…'
            ) : (
              <span className="muted">The gateway is not running, so it has no URL yet.</span>
            )}
          </dd>
          <dt>Rate limits</dt>
          <dd title="For all of this customer's keys together; set them under Rate limits below.">
            {limitsText(c.limits)}
          </dd>
        </dl>
      </Section>
      <ConnectionsSection customerId={c.id} />
      <Section
        title="Tools"
        actions={
          <button type="button" onClick={() => setConfiguring(true)}>
            Configure
          </button>
        }
      >
        <dl className="props">
          <dt>Exposure</dt>
          <dd>{describeExposure(c.exposure, names)}</dd>
          <dt>Tool mode</dt>
          <dd>{TOOL_MODE_TEXT[c.exposure.tool_mode]}</dd>
        </dl>
        <ToolPreview customerId={c.id} />
      </Section>
      <ApprovalPolicySection customerId={c.id} approvals={c.approvals} />
      <RateLimitsSection customerId={c.id} limits={c.limits} />
      <ExposureEditor
        open={configuring}
        onClose={() => setConfiguring(false)}
        customer={c}
        connected={connected}
      />
      <RenameCustomerDialog open={renaming} onClose={() => setRenaming(false)} customer={c} />
    </Page>
  );
}
