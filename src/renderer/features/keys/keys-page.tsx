// API keys: who may reach which plane. Listed masked (a key is shown once, when created);
// revoking asks first and takes effect at once, for open sessions too.
import { useState } from 'react';
import { Badge } from '../../common/controls';
import { ConfirmButton } from '../../common/dialog';
import { Empty, QueryState, useToast } from '../../common/feedback';
import { limitsText } from '../../common/limits-text';
import { Page } from '../../common/page';
import { useTool, useToolMutation } from '../../common/queries';
import { OAuthGrantsSection } from '../consent/oauth-grants';
import { CreateKeyDialog } from './create-key-dialog';
import { EditLimitsButton } from './edit-limits-button';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

export default function KeysPage() {
  const [showRevoked, setShowRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const keys = useTool('list_api_keys', { limit: 500, include_revoked: showRevoked });
  const revoke = useToolMutation('revoke_api_key');
  const toast = useToast();
  return (
    <Page
      title="API keys"
      actions={
        <>
          <label className="inline">
            <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
            Show revoked
          </label>
          <button type="button" onClick={() => setCreating(true)}>
            Create key
          </button>
        </>
      }
    >
      <QueryState query={keys} what="API keys" />
      {keys.data &&
        (keys.data.keys.length === 0 ? (
          <Empty>No API keys. Create one to connect an AI client.</Empty>
        ) : (
          <div className="card">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Customers</th>
                  <th scope="col">Rate limits</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.keys.map((k) => (
                  <tr key={k.id}>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.masked}</code>
                    </td>
                    <td>
                      <Badge tone={k.scope === 'admin' ? 'warn' : 'neutral'}>{k.scope}</Badge>
                    </td>
                    <td>{k.scope === 'admin' ? '—' : (k.customers?.join(', ') ?? 'all')}</td>
                    <td>{k.scope === 'admin' ? '—' : limitsText(k.limits)}</td>
                    <td>{when(k.created_at)}</td>
                    <td>{when(k.last_used_at)}</td>
                    <td>
                      {k.scope === 'gateway' && !k.revoked_at && <EditLimitsButton apiKey={k} />}{' '}
                      {k.revoked_at ? (
                        <Badge tone="error">revoked</Badge>
                      ) : (
                        <ConfirmButton
                          label="Revoke"
                          title={`Revoke "${k.name}"?`}
                          message={
                            <p>
                              The key <code>{k.masked}</code> stops working at once, also for sessions already
                              open. This cannot be undone.
                            </p>
                          }
                          onConfirm={() =>
                            revoke.mutateAsync({ key_id: k.id }).then(
                              () => toast.success(`Revoked "${k.name}".`),
                              (e: unknown) => toast.error(e),
                            )
                          }
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <OAuthGrantsSection />
      <CreateKeyDialog open={creating} onClose={() => setCreating(false)} />
    </Page>
  );
}
