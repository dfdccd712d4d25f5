// The MCP clients approved through OAuth, beside the API keys: who, which plane and customers,
// since when; revoking takes effect at once (tokens refused, open sessions closed).
import { Badge } from '../../common/controls';
import { ConfirmButton } from '../../common/dialog';
import { Empty, QueryState, useToast } from '../../common/feedback';
import { Section } from '../../common/page';
import { useTool, useToolMutation } from '../../common/queries';

export function OAuthGrantsSection() {
  const grants = useTool('list_oauth_grants', { limit: 500 });
  const revoke = useToolMutation('revoke_oauth_grant');
  const toast = useToast();
  return (
    <Section title="OAuth clients">
      <QueryState query={grants} what="OAuth clients" />
      {grants.data &&
        (grants.data.grants.length === 0 ? (
          <Empty>No MCP client signed in with OAuth.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Plane</th>
                <th scope="col">Customers</th>
                <th scope="col">Approved</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {grants.data.grants.map((g) => (
                <tr key={g.id}>
                  <td>
                    {g.client_name} <code>{g.client_id}</code>
                  </td>
                  <td>
                    <Badge tone={g.plane === 'admin' ? 'warn' : 'neutral'}>{g.plane}</Badge>
                  </td>
                  <td>{g.plane === 'admin' ? '—' : (g.customers?.join(', ') ?? 'all')}</td>
                  <td>{new Date(g.created_at).toLocaleString()}</td>
                  <td>{g.last_used_at ? new Date(g.last_used_at).toLocaleString() : 'never'}</td>
                  <td>
                    <ConfirmButton
                      label="Revoke"
                      title={`Revoke "${g.client_name}"?`}
                      message={<p>Its tokens stop working at once and its open sessions are closed.</p>}
                      onConfirm={() =>
                        revoke.mutateAsync({ grant_id: g.id }).then(
                          () => toast.success(`Revoked "${g.client_name}".`),
                          (e: unknown) => toast.error(e),
                        )
                      }
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </Section>
  );
}
