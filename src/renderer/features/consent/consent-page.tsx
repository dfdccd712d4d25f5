// The OAuth consent page: an MCP client asked Portico's authorization server for access; a
// signed-in admin sees who it is and where it will send the answer, picks the plane (and, for the
// gateway, the customers) and approves or denies. The decision is an admin tool call; the browser
// then goes back to the client's redirect URI.
import { useState } from 'react';
import type { ToolOutput } from '../../../shared/registry';
import { Badge } from '../../common/controls';
import { ErrorMessage, QueryState } from '../../common/feedback';
import { Page } from '../../common/page';
import { useTool } from '../../common/queries';
import { callTool } from '../../common/registry';

type Request = ToolOutput<'get_oauth_request'>;
type Plane = 'admin' | 'gateway';

const PLANES: Record<Plane, string> = {
  admin: 'the control plane (/mcp/admin): manage the whole workspace, as an admin key',
  gateway: 'the customer gateway (/mcp/gateway): act in the chosen customers’ connected systems',
};

export default function ConsentPage({ id }: { id: string }) {
  // Read once: after the decision the request is gone, and the page is leaving anyway.
  const request = useTool(
    'get_oauth_request',
    { request_id: id },
    { retry: false, staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false },
  );
  return (
    <Page title="Allow an MCP client?">
      <QueryState query={request} what="the authorization request" />
      {request.data && <Decision request={request.data} />}
    </Page>
  );
}

function Decision({ request }: { request: Request }) {
  const [plane, setPlane] = useState<Plane>(request.plane ?? 'gateway');
  const [customers, setCustomers] = useState<string[]>(request.customer_hint ? [request.customer_hint] : []);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const list = useTool('list_customers', { limit: 500 }, { enabled: plane === 'gateway' });
  const redirect = new URL(request.redirect_uri);

  const decide = async (approve: boolean) => {
    setBusy(true);
    try {
      const { redirect_to } = approve
        ? await callTool('approve_oauth_client', {
            request_id: request.request_id,
            plane,
            ...(plane === 'gateway' ? { customers } : {}),
          })
        : await callTool('deny_oauth_client', { request_id: request.request_id });
      window.location.assign(redirect_to);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <div className="card">
      <p>
        <strong>{request.client_name}</strong> asks to use this Portico
        {request.plane ? ` (${request.plane} plane)` : ''}.
      </p>
      <dl>
        <dt>Client</dt>
        <dd>
          <code>{request.client_id}</code>
          {request.client_uri && (
            <>
              {' '}
              — <a href={request.client_uri}>{request.client_uri}</a>
            </>
          )}
        </dd>
        <dt>Answer goes to</dt>
        <dd>
          <code>{redirect.origin}</code>
          {redirect.protocol === 'http:' && <Badge tone="neutral">this computer</Badge>}
        </dd>
        <dt>Request expires</dt>
        <dd>{new Date(request.expires_at).toLocaleTimeString()}</dd>
      </dl>
      <fieldset>
        <legend>Plane</legend>
        {(Object.keys(PLANES) as Plane[]).map((p) => (
          <label key={p} className="inline">
            <input
              type="radio"
              name="plane"
              value={p}
              checked={plane === p}
              disabled={request.plane !== null && request.plane !== p}
              onChange={() => setPlane(p)}
            />
            <strong>{p}</strong> — {PLANES[p]}
          </label>
        ))}
      </fieldset>
      {plane === 'gateway' && (
        <fieldset>
          <legend>Customers it may reach</legend>
          <QueryState query={list} what="customers" />
          {list.data?.customers.length === 0 && <p>No customers yet: create one first.</p>}
          {list.data?.customers.map((c) => (
            <label key={c.id} className="inline">
              <input
                type="checkbox"
                checked={customers.includes(c.id)}
                onChange={(e) =>
                  setCustomers(e.target.checked ? [...customers, c.id] : customers.filter((x) => x !== c.id))
                }
              />
              {c.name} <code>{c.id}</code>
            </label>
          ))}
        </fieldset>
      )}
      <p className="field-hint">
        The client gets exactly what an API key of this scope would; revoke it any time under API keys → OAuth
        clients.
      </p>
      <ErrorMessage error={error} />
      <footer className="dialog-footer">
        <button type="button" className="secondary" disabled={busy} onClick={() => void decide(false)}>
          Deny
        </button>
        <button
          type="button"
          disabled={busy || (plane === 'gateway' && customers.length === 0)}
          onClick={() => void decide(true)}
        >
          Allow
        </button>
      </footer>
    </div>
  );
}
