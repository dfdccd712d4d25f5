// One AI client: is it installed here, where its config file is, Portico's entries in it (current
// or stale), and Add / Remove through add_client_config / remove_client_config.
import { useState } from 'react';
import { Badge } from '../../../common/controls';
import { ConfirmButton } from '../../../common/dialog';
import { Empty } from '../../../common/feedback';
import { Section } from '../../../common/page';
import { useToolMutation } from '../../../common/queries';
import { hasInstallLink } from '../lib/install-link';
import { entryName, type ListedClient, type Target, targetInput, targetText } from '../lib/target';
import { type ChangeOutcome, ChangeResult } from './change-result';
import { EntryPreview } from './entry-preview';
import { InstallLinks } from './install-links';

type Entry = ListedClient['entries'][number];

const entryTarget = (e: Entry): Target =>
  e.plane === 'admin' ? { plane: 'admin' } : { plane: 'gateway', customer_id: e.customer_id ?? '' };

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function ClientCard({ client, target }: { client: ListedClient; target: Target | undefined }) {
  const add = useToolMutation('add_client_config');
  const remove = useToolMutation('remove_client_config');
  const [outcome, setOutcome] = useState<ChangeOutcome | undefined>();
  const name = client.display_name;

  const runAdd = (to: Target) => {
    setOutcome(undefined);
    add.mutate(
      { client: client.client, ...targetInput(to) },
      {
        onSuccess: (value) => setOutcome({ kind: 'add', value }),
        onError: (e) =>
          setOutcome({ kind: 'error', action: 'add', name: entryName(to), message: errorText(e) }),
      },
    );
  };
  const runRemove = (to: Target) =>
    remove.mutateAsync({ client: client.client, ...targetInput(to) }).then(
      (value) => setOutcome({ kind: 'remove', value }),
      (e: unknown) =>
        setOutcome({ kind: 'error', action: 'remove', name: entryName(to), message: errorText(e) }),
    );

  return (
    <Section
      title={name}
      actions={
        <>
          <Badge tone={client.detected ? 'ok' : 'neutral'}>
            {client.detected ? 'detected' : 'not detected'}
          </Badge>
          <button
            type="button"
            disabled={!target || add.isPending}
            onClick={() => target && runAdd(target)}
            title={
              target ? `Write ${entryName(target)} for ${targetText(target)}` : 'Choose a customer first'
            }
          >
            {add.isPending ? 'Adding…' : `Add to ${name}`}
          </button>
        </>
      }
    >
      <dl className="props">
        <dt>Config file</dt>
        <dd>
          <code>{client.path}</code>
        </dd>
        <dt>Connects by</dt>
        <dd>
          {client.transport === 'http'
            ? 'HTTP, the key in a header'
            : 'stdio: runs `portico bridge`, the key in its environment'}
        </dd>
      </dl>
      {client.error && (
        <div className="error-box" role="alert">
          <strong>This file cannot be read; Portico leaves it as it is.</strong> {client.error}
        </div>
      )}
      {outcome && <ChangeResult outcome={outcome} onDismiss={() => setOutcome(undefined)} />}
      <h3>Portico entries</h3>
      {client.entries.length === 0 ? (
        <Empty>No Portico entry in this file.</Empty>
      ) : (
        <table aria-label={`Portico entries in ${name}`}>
          <thead>
            <tr>
              <th scope="col">Server name</th>
              <th scope="col">Plane</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {client.entries.map((e) => (
              <tr key={e.name}>
                <td>
                  <code>{e.name}</code>
                </td>
                <td>{e.plane === 'admin' ? 'admin' : `gateway — customer ${e.customer_id}`}</td>
                <td>
                  <Badge tone={e.status === 'current' ? 'ok' : 'warn'}>{e.status}</Badge>
                  {e.reasons.length > 0 && (
                    <ul className="entry-reasons">
                      {e.reasons.map((r) => (
                        <li key={r}>{r}</li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  <div className="inline">
                    {e.status === 'stale' && (
                      <button
                        type="button"
                        className="secondary small"
                        disabled={add.isPending}
                        onClick={() => runAdd(entryTarget(e))}
                      >
                        Repair
                      </button>
                    )}
                    <ConfirmButton
                      label="Remove"
                      title={`Remove ${e.name} from ${name}?`}
                      message={
                        <p>
                          Only Portico's <code>{e.name}</code> entry is removed from{' '}
                          <code>{client.path}</code> (the file is backed up first), and the key Portico minted
                          for it is revoked.
                        </p>
                      }
                      onConfirm={() => runRemove(entryTarget(e))}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {target && hasInstallLink(client.client) && <InstallLinks client={client.client} target={target} />}
      {target && <EntryPreview client={client.client} target={target} />}
    </Section>
  );
}
