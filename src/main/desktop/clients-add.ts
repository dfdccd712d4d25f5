import type { RegistryClient, ToolOutput } from '../core/admin';
import type { PorticoApp } from '../core/app';

/** One line for the tray's notification, from what add_client_config did. */
export function addSummary(r: ToolOutput<'add_client_config'>): string {
  if (r.change === 'unchanged')
    return `${r.server_name} in ${r.display_name} is already current; nothing changed.`;
  const done = `${r.change === 'update' ? 'Updated' : 'Added'} ${r.server_name} in ${r.path} with a new key.`;
  const warned = r.warnings.length ? ` ${r.warnings.join(' ')}` : '';
  return `${done}${warned} ${r.restart_required ? `Restart needed: ${r.restart_hint}` : r.restart_hint}`;
}

/** The tray's "Add to Claude / Cursor": add_client_config through the registry; resolves to a one-line summary. */
export async function addClientConfig(
  registry: RegistryClient,
  client: ToolOutput<'add_client_config'>['client'],
  plane: 'admin' | 'gateway',
  customerId?: string,
): Promise<string> {
  const result = await registry.call('add_client_config', {
    client,
    plane,
    ...(customerId !== undefined ? { customer_id: customerId } : {}),
  });
  if (!result.ok) throw new Error(result.error);
  return addSummary(result.value);
}

/** `runClientsAdd` for the tray: the running app's registry, called as the tray. */
export function clientsAddFor(core: () => PorticoApp | null) {
  return (
    client: ToolOutput<'add_client_config'>['client'],
    plane: 'admin' | 'gateway',
    customerId?: string,
  ) => {
    const app = core();
    if (!app) return Promise.reject(new Error('Portico is not running yet.'));
    return addClientConfig(app.client('tray'), client, plane, customerId);
  };
}
