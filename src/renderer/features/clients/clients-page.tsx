// Every AI client Portico configures: detected here or not, its config file, Portico's entries
// (current or stale), and Add / Remove for the admin plane or a customer — the same
// add_client_config / remove_client_config as `portico clients` and the tray. The web UI runs on
// the server's machine, so the tools use the server's own environment (client_environment omitted).
import { useState } from 'react';
import { ErrorMessage, Loading } from '../../common/feedback';
import { Page, Section } from '../../common/page';
import { useTool } from '../../common/queries';
import { ClientCard } from './components/client-card';
import { TargetPicker } from './components/target-picker';
import type { Target } from './lib/target';
import './clients.css';

export default function ClientsPage() {
  const [target, setTarget] = useState<Target>({ plane: 'admin' });
  const clients = useTool('list_client_configs', {});
  return (
    <Page
      title="Clients"
      actions={
        <button
          type="button"
          className="secondary"
          disabled={clients.isFetching}
          onClick={() => void clients.refetch()}
        >
          {clients.isFetching ? 'Reading…' : 'Re-read config files'}
        </button>
      }
    >
      <Section title="Target">
        <TargetPicker target={target} onChange={setTarget} />
        <p className="muted">
          Add writes Portico's entry with a key minted for that client, keeps everything else in the file and
          backs the old file up. Config files edited outside Portico show here after “Re-read config files”.
        </p>
      </Section>
      {clients.error ? (
        <ErrorMessage error={clients.error} title="Could not list the clients" />
      ) : clients.isPending ? (
        <Loading what="Reading the clients' config files" />
      ) : (
        clients.data.clients.map((c) => <ClientCard key={c.client} client={c} target={target} />)
      )}
    </Page>
  );
}
