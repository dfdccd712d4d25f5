// The tray menu as a pure function of a snapshot of the app, so every state is unit-testable
// without Electron; tray.ts turns these plain items into an Electron Menu and dispatches actions.
import { CHOICE_LABELS, type ProblemChoice } from './start-problem';
import type { TrayIconState } from './tray-icons';

export type { TrayIconState } from './tray-icons';

export type Plane = 'admin' | 'gateway';

/** Customers listed in the tray; the rest are a click away in the window's Clients page. */
export const MAX_TRAY_CUSTOMERS = 20;
/** Waiting calls listed in the tray; the rest are a click away in the window's Approvals page. */
export const MAX_TRAY_APPROVALS = 10;

/** A customer's call waiting for a person's decision (list_approvals). */
export interface PendingApproval {
  id: string;
  tool: string;
  customerId: string;
  /** The customer's name (its id when unknown). */
  customer: string;
}

export interface TraySnapshot {
  phase: 'starting' | 'running' | 'failed' | 'stopped';
  /** Where the gateway listens (running only). */
  url: string | null;
  planes: Record<Plane, boolean>;
  /** Calls and errors since local midnight; null while unknown. */
  today: { calls: number; errors: number } | null;
  /** Every AI client Portico can configure (list_client_configs), in its order. */
  clients: { id: string; name: string }[];
  /** The first customers (list_customers), and whether there are more. */
  customers: { id: string; name: string }[];
  moreCustomers: boolean;
  /** Calls waiting for approval, newest first (all of them: the menu shows the first few). */
  approvals: PendingApproval[];
  startAtLogin: { supported: boolean; enabled: boolean };
  /** Why the gateway is not running, and the ways out (failed only). */
  problem?: { headline: string; choices: ProblemChoice[] };
  /** Set when secrets are not protected by the OS here. */
  secretsWarning?: string;
}

/** What clicking an item does; the binding dispatches on `kind`. */
export type TrayAction =
  | { kind: 'set-plane'; plane: Plane; enabled: boolean }
  | { kind: 'add-client'; client: string; clientName: string; plane: Plane; customerId?: string }
  | { kind: 'open-window'; route?: string }
  | { kind: 'copy-admin-url' }
  | { kind: 'set-start-at-login'; enabled: boolean }
  | {
      kind: 'decide-approval';
      approvalId: string;
      tool: string;
      decision: 'allow' | 'deny';
      remember?: 'session' | 'always';
    }
  | { kind: 'problem'; choice: ProblemChoice }
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

/** Which icon the tray shows: running (both planes serve), a plane off (or not yet serving), error. */
export function trayIconState(s: Pick<TraySnapshot, 'phase' | 'planes'>): TrayIconState {
  if (s.phase === 'failed') return 'error';
  return s.phase === 'running' && s.planes.admin && s.planes.gateway ? 'running' : 'plane-off';
}

const MAX_LABEL = 48;
/** Errors get more room: the whole point of the line is to say what went wrong. */
const MAX_ERROR_LABEL = 120;

/** Menus render raw text: keep labels to one line of bounded length. */
export function shortLabel(text: string, max = MAX_LABEL): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function separator(id: string): TrayMenuItem {
  return { id, label: '', type: 'separator' };
}

function info(id: string, label: string): TrayMenuItem {
  return { id, label, enabled: false };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function statusItems(s: TraySnapshot): TrayMenuItem[] {
  switch (s.phase) {
    case 'starting':
      return [info('status', 'Portico is starting…')];
    case 'stopped':
      return [info('status', 'Portico is quitting…')];
    case 'failed': {
      const problem = s.problem ?? { headline: 'The gateway did not start', choices: ['retry'] };
      return [
        info('status', `⚠ ${shortLabel(problem.headline, MAX_ERROR_LABEL)}`),
        ...problem.choices.map(
          (choice): TrayMenuItem => ({
            id: `problem:${choice}`,
            label: CHOICE_LABELS[choice],
            action: { kind: 'problem', choice },
          }),
        ),
      ];
    }
    case 'running': {
      const today = s.today
        ? `Today: ${plural(s.today.calls, 'call')}, ${plural(s.today.errors, 'error')}`
        : 'Today: …';
      return [info('status', `Running at ${s.url ?? '…'}`), info('status:today', today)];
    }
  }
}

function planeItem(s: TraySnapshot, plane: Plane, label: string): TrayMenuItem {
  const checked = s.phase === 'running' && s.planes[plane];
  return {
    id: `plane:${plane}`,
    label,
    type: 'checkbox',
    checked,
    enabled: s.phase === 'running',
    action: { kind: 'set-plane', plane, enabled: !checked },
  };
}

function clientItems(s: TraySnapshot, idPrefix: string, plane: Plane, customerId?: string): TrayMenuItem[] {
  return s.clients.map((client) => ({
    id: `${idPrefix}:${client.id}`,
    label: shortLabel(client.name),
    action: {
      kind: 'add-client',
      client: client.id,
      clientName: client.name,
      plane,
      ...(customerId !== undefined ? { customerId } : {}),
    },
  }));
}

function customersItem(s: TraySnapshot, running: boolean): TrayMenuItem {
  const submenu: TrayMenuItem[] = s.customers.map((customer) => ({
    id: `customer:${customer.id}`,
    label: shortLabel(customer.name.trim() === '' ? customer.id : customer.name),
    type: 'submenu',
    enabled: s.clients.length > 0,
    submenu: clientItems(s, `add:gateway:${customer.id}`, 'gateway', customer.id),
  }));
  if (s.customers.length === 0) {
    submenu.push({
      id: 'customers:none',
      label: 'No customers yet — add one in Portico…',
      action: { kind: 'open-window', route: 'customers' },
    });
  } else if (s.moreCustomers) {
    submenu.push(separator('sep:more-customers'), {
      id: 'customers:more',
      label: 'More in Portico…',
      action: { kind: 'open-window', route: 'clients' },
    });
  }
  return {
    id: 'add:gateway',
    label: "Add a customer's gateway to",
    type: 'submenu',
    enabled: running,
    submenu,
  };
}

/** "N calls waiting for approval", for the menu and the tooltip. */
export function approvalsLabel(count: number): string {
  return `${plural(count, 'call')} waiting for approval`;
}

function approvalItem(a: PendingApproval): TrayMenuItem {
  const decide = (decision: 'allow' | 'deny', remember?: 'session' | 'always'): TrayAction => ({
    kind: 'decide-approval',
    approvalId: a.id,
    tool: a.tool,
    decision,
    ...(remember ? { remember } : {}),
  });
  const customer = shortLabel(a.customer, 32);
  return {
    id: `approval:${a.id}`,
    label: shortLabel(`${a.tool} — ${a.customer}`, 64),
    type: 'submenu',
    submenu: [
      { id: `approval:${a.id}:allow`, label: 'Allow once', action: decide('allow') },
      {
        id: `approval:${a.id}:allow-session`,
        label: 'Allow for this session',
        action: decide('allow', 'session'),
      },
      {
        id: `approval:${a.id}:allow-always`,
        label: `Always allow for ${customer}`,
        action: decide('allow', 'always'),
      },
      { id: `approval:${a.id}:deny`, label: 'Deny', action: decide('deny') },
    ],
  };
}

/** The waiting calls (running only, and only when there are some): each with its four decisions. */
function approvalItems(s: TraySnapshot): TrayMenuItem[] {
  if (s.phase !== 'running' || s.approvals.length === 0) return [];
  const submenu = s.approvals.slice(0, MAX_TRAY_APPROVALS).map(approvalItem);
  const more = s.approvals.length - MAX_TRAY_APPROVALS;
  submenu.push(separator('sep:approvals-open'), {
    id: 'approvals:open',
    label: more > 0 ? `${more} more in Portico…` : 'Open approvals in Portico…',
    action: { kind: 'open-window', route: 'approvals' },
  });
  return [
    separator('sep:approvals'),
    { id: 'approvals', label: approvalsLabel(s.approvals.length), type: 'submenu', submenu },
  ];
}

export function buildTrayMenu(s: TraySnapshot): TrayMenuItem[] {
  // Actions that talk to the gateway make no sense until it runs.
  const running = s.phase === 'running';
  const items: TrayMenuItem[] = [...statusItems(s)];
  if (s.secretsWarning) items.push(info('status:secrets', shortLabel(`⚠ ${s.secretsWarning}`, 80)));
  items.push(...approvalItems(s));
  items.push(
    separator('sep:planes'),
    planeItem(s, 'admin', 'Admin MCP (control plane)'),
    planeItem(s, 'gateway', 'Customer gateway (data plane)'),
    separator('sep:clients'),
    {
      id: 'add:admin',
      label: 'Add admin MCP to',
      type: 'submenu',
      enabled: running && s.clients.length > 0,
      submenu: clientItems(s, 'add:admin', 'admin'),
    },
    customersItem(s, running),
    separator('sep:app'),
    { id: 'copy-admin-url', label: 'Copy admin URL', enabled: running, action: { kind: 'copy-admin-url' } },
    { id: 'open', label: 'Open Portico…', action: { kind: 'open-window' } },
    {
      id: 'start-at-login',
      label: s.startAtLogin.supported ? 'Start at login' : 'Start at login (not available here)',
      type: 'checkbox',
      checked: s.startAtLogin.enabled,
      enabled: s.startAtLogin.supported,
      action: { kind: 'set-start-at-login', enabled: !s.startAtLogin.enabled },
    },
    separator('sep:quit'),
    { id: 'quit', label: 'Quit', action: { kind: 'quit' } },
  );
  return items;
}

/** Finds an item (anywhere in the submenus) by id. */
export function findItem(items: readonly TrayMenuItem[], id: string): TrayMenuItem | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const inner = item.submenu && findItem(item.submenu, id);
    if (inner) return inner;
  }
  return undefined;
}

/** The control-plane endpoint for a listening URL (contract section 2). */
export function adminUrl(url: string): string {
  return `${url.replace(/\/+$/, '')}/mcp/admin`;
}
