// The tray menu as a pure function of app state, so its content is unit-testable
// without Electron. tray.ts turns these plain items into an Electron Menu.

export type Plane = 'admin' | 'gateway';
export type ClientId = 'claude-desktop' | 'cursor';

export interface TrayState {
  /** Where the gateway listens, or null while starting / after a failure. */
  url: string | null;
  planes: { admin: boolean; gateway: boolean };
  customers: { id: string; name: string }[];
  error?: string;
}

/** What clicking an item does; the binding dispatches on `kind`. */
export type TrayAction =
  | { kind: 'set-plane'; plane: Plane; enabled: boolean }
  | { kind: 'add-client'; client: ClientId; plane: Plane; customerId?: string }
  | { kind: 'open-window' }
  | { kind: 'copy-admin-url' }
  | { kind: 'quit' };

export interface TrayMenuItem {
  id: string;
  label: string;
  type?: 'normal' | 'checkbox' | 'separator' | 'submenu';
  checked?: boolean;
  enabled?: boolean;
  submenu?: TrayMenuItem[];
  action?: TrayAction;
}

const CLIENTS: { id: ClientId; label: string }[] = [
  { id: 'claude-desktop', label: 'Claude Desktop' },
  { id: 'cursor', label: 'Cursor' },
];

const MAX_LABEL = 48;
/** Errors get more room: the whole point of the line is to say what went wrong. */
const MAX_ERROR_LABEL = 160;

/** Menus render raw text: keep labels to one line of bounded length. */
function shortLabel(text: string, max = MAX_LABEL): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function separator(id: string): TrayMenuItem {
  return { id, label: '', type: 'separator' };
}

function statusLabel(state: TrayState): string {
  if (state.error) return `Error: ${shortLabel(state.error, MAX_ERROR_LABEL)}`;
  if (state.url) return `Listening on ${state.url}`;
  return 'Starting…';
}

function planeItem(state: TrayState, plane: Plane, label: string, running: boolean): TrayMenuItem {
  const checked = state.planes[plane];
  return {
    id: `plane:${plane}`,
    label,
    type: 'checkbox',
    checked,
    enabled: running,
    action: { kind: 'set-plane', plane, enabled: !checked },
  };
}

function customerSubmenu(customer: { id: string; name: string }, running: boolean): TrayMenuItem {
  const name = customer.name.trim() === '' ? customer.id : customer.name;
  return {
    id: `customer:${customer.id}`,
    label: shortLabel(`${name} gateway`),
    type: 'submenu',
    enabled: running,
    submenu: CLIENTS.map((client) => ({
      id: `add:gateway:${client.id}:${customer.id}`,
      label: `Add to ${client.label}`,
      enabled: running,
      action: { kind: 'add-client', client: client.id, plane: 'gateway', customerId: customer.id },
    })),
  };
}

export function buildTrayMenu(state: TrayState): TrayMenuItem[] {
  // Actions that talk to the gateway make no sense until it listens.
  const running = state.url !== null && !state.error;
  const items: TrayMenuItem[] = [
    { id: 'status', label: statusLabel(state), enabled: false },
    separator('sep:planes'),
    planeItem(state, 'admin', 'Admin MCP (control plane)', running),
    planeItem(state, 'gateway', 'Customer gateway (data plane)', running),
    separator('sep:clients'),
    ...CLIENTS.map(
      (client): TrayMenuItem => ({
        id: `add:admin:${client.id}`,
        label: `Add admin to ${client.label}`,
        enabled: running,
        action: { kind: 'add-client', client: client.id, plane: 'admin' },
      }),
    ),
  ];
  if (state.customers.length > 0) {
    items.push(separator('sep:customers'));
    items.push(...state.customers.map((customer) => customerSubmenu(customer, running)));
  }
  items.push(
    separator('sep:app'),
    { id: 'open', label: 'Open Portico…', action: { kind: 'open-window' } },
    { id: 'copy-admin-url', label: 'Copy admin URL', enabled: running, action: { kind: 'copy-admin-url' } },
    separator('sep:quit'),
    { id: 'quit', label: 'Quit', action: { kind: 'quit' } },
  );
  return items;
}

/** The control-plane endpoint for a listening URL (contract section 2). */
export function adminUrl(url: string): string {
  return `${url.replace(/\/+$/, '')}/mcp/admin`;
}
