// The tray's "Add to …": add_client_config through the registry, as the tray — the same code as
// `portico clients add` and the Clients page. The result becomes a notification (notifications.ts).
import type { RegistryClient, ToolOutput } from '../core/admin';
import type { PorticoApp } from '../core/app';
import { clientAddedNotice } from './notifications';

type ClientId = ToolOutput<'add_client_config'>['client'];

/** One line for the user, from what add_client_config did (the notification's body). */
export function addSummary(r: ToolOutput<'add_client_config'>): string {
  return clientAddedNotice(r).body;
}

/** add_client_config through `registry`; its result, or an Error with the tool's message. */
export async function addClientConfig(
  registry: RegistryClient,
  client: ClientId,
  plane: 'admin' | 'gateway',
  customerId?: string,
): Promise<ToolOutput<'add_client_config'>> {
  const result = await registry.call('add_client_config', {
    client,
    plane,
    ...(customerId !== undefined ? { customer_id: customerId } : {}),
  });
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** "Add to …" on the running app's registry, called as the tray; resolves to a one-line summary. */
export function clientsAddFor(core: () => PorticoApp | null) {
  return async (client: ClientId, plane: 'admin' | 'gateway', customerId?: string): Promise<string> => {
    const app = core();
    if (!app) throw new Error('Portico is not running yet.');
    return addSummary(await addClientConfig(app.client('tray'), client, plane, customerId));
  };
}
