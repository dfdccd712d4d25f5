// The tray menu model in every state: starting, running (planes on/off, stats, clients and customers
// from the registry, capped), failed (each start problem with its ways out), quitting; and the icon
// state. Pure: no Electron, no core.
import { describe, expect, it } from 'vitest';
import {
  adminUrl,
  buildTrayMenu,
  findItem,
  MAX_TRAY_APPROVALS,
  MAX_TRAY_CUSTOMERS,
  type PendingApproval,
  shortLabel,
  type TrayMenuItem,
  type TraySnapshot,
  trayIconState,
} from '../../src/main/desktop/tray-menu';

const clients = [
  { id: 'claude-desktop', name: 'Claude Desktop' },
  { id: 'cursor', name: 'Cursor' },
  { id: 'codex', name: 'Codex' },
];

const running: TraySnapshot = {
  phase: 'running',
  url: 'http://127.0.0.1:7430',
  planes: { admin: true, gateway: true },
  today: { calls: 12, errors: 1 },
  clients,
  customers: [
    { id: 'acme', name: 'Acme Corp' },
    { id: 'globex', name: 'Globex' },
  ],
  moreCustomers: false,
  approvals: [],
  startAtLogin: { supported: true, enabled: false },
};

const starting: TraySnapshot = {
  ...running,
  phase: 'starting',
  url: null,
  planes: { admin: false, gateway: false },
  today: null,
  customers: [],
};

function item(items: TrayMenuItem[], id: string): TrayMenuItem {
  const found = findItem(items, id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
}

const labels = (items: TrayMenuItem[]) => items.filter((i) => i.type !== 'separator').map((i) => i.label);

describe('the tray menu while running', () => {
  it('has the status line (URL, calls and errors today), plane toggles, Add to …, copy, open, start at login, quit', () => {
    const items = buildTrayMenu(running);
    expect(labels(items)).toEqual([
      'Running at http://127.0.0.1:7430',
      'Today: 12 calls, 1 error',
      'Admin MCP (control plane)',
      'Customer gateway (data plane)',
      'Add admin MCP to',
      "Add a customer's gateway to",
      'Copy admin URL',
      'Open Portico…',
      'Start at login',
      'Quit',
    ]);
    expect(item(items, 'status').enabled).toBe(false);
    expect(item(items, 'status:today').enabled).toBe(false);
    expect(labels(buildTrayMenu({ ...running, today: { calls: 1, errors: 0 } }))[1]).toBe(
      'Today: 1 call, 0 errors',
    );
    expect(labels(buildTrayMenu({ ...running, today: null }))[1]).toBe('Today: …');
  });

  it('shows each plane as a checkbox whose click flips it', () => {
    const items = buildTrayMenu({ ...running, planes: { admin: true, gateway: false } });
    expect(item(items, 'plane:admin')).toMatchObject({
      type: 'checkbox',
      checked: true,
      enabled: true,
      action: { kind: 'set-plane', plane: 'admin', enabled: false },
    });
    expect(item(items, 'plane:gateway')).toMatchObject({
      type: 'checkbox',
      checked: false,
      action: { kind: 'set-plane', plane: 'gateway', enabled: true },
    });
  });

  it('offers every client it was given, for the admin plane and for each customer', () => {
    const items = buildTrayMenu(running);
    expect(item(items, 'add:admin').submenu?.map((i) => [i.label, i.action])).toEqual(
      clients.map((c) => [c.name, { kind: 'add-client', client: c.id, clientName: c.name, plane: 'admin' }]),
    );
    const acme = item(items, 'customer:acme');
    expect(acme).toMatchObject({ label: 'Acme Corp', type: 'submenu' });
    expect(acme.submenu?.map((i) => i.action)).toEqual(
      clients.map((c) => ({
        kind: 'add-client',
        client: c.id,
        clientName: c.name,
        plane: 'gateway',
        customerId: 'acme',
      })),
    );
    // A client list that grows (a new client in list_client_configs) grows the menu, nothing else.
    const more = buildTrayMenu({ ...running, clients: [...clients, { id: 'vscode', name: 'VS Code' }] });
    expect(item(more, 'add:admin').submenu).toHaveLength(4);
    expect(item(more, 'customer:globex').submenu).toHaveLength(4);
  });

  it('caps the customers: "More in Portico…" opens the Clients page; none yet points at Customers', () => {
    const many = Array.from({ length: MAX_TRAY_CUSTOMERS }, (_, i) => ({ id: `c${i}`, name: `C ${i}` }));
    const capped = item(buildTrayMenu({ ...running, customers: many, moreCustomers: true }), 'add:gateway');
    expect(capped.submenu?.filter((i) => i.id.startsWith('customer:'))).toHaveLength(MAX_TRAY_CUSTOMERS);
    expect(capped.submenu?.at(-1)).toMatchObject({
      label: 'More in Portico…',
      action: { kind: 'open-window', route: 'clients' },
    });
    const none = item(buildTrayMenu({ ...running, customers: [] }), 'add:gateway');
    expect(none.submenu).toEqual([
      {
        id: 'customers:none',
        label: 'No customers yet — add one in Portico…',
        action: { kind: 'open-window', route: 'customers' },
      },
    ]);
  });

  it('keeps labels to one short line, and falls back to the id for a blank customer name', () => {
    const items = buildTrayMenu({
      ...running,
      customers: [
        { id: 'long', name: `A\nvery ${'long '.repeat(20)}name` },
        { id: 'blank', name: '  ' },
      ],
    });
    const long = item(items, 'customer:long').label;
    expect(long).not.toContain('\n');
    expect(long.length).toBeLessThanOrEqual(48);
    expect(long.endsWith('…')).toBe(true);
    expect(item(items, 'customer:blank').label).toBe('blank');
    expect(shortLabel(' a \t b ')).toBe('a b');
  });

  it('reflects Start at login, and says where it is not available', () => {
    expect(
      item(buildTrayMenu({ ...running, startAtLogin: { supported: true, enabled: true } }), 'start-at-login'),
    ).toMatchObject({
      type: 'checkbox',
      checked: true,
      enabled: true,
      action: { kind: 'set-start-at-login', enabled: false },
    });
    expect(
      item(
        buildTrayMenu({ ...running, startAtLogin: { supported: false, enabled: false } }),
        'start-at-login',
      ),
    ).toMatchObject({ label: 'Start at login (not available here)', enabled: false });
  });

  it('warns when secrets are not protected by the OS', () => {
    const items = buildTrayMenu({ ...running, secretsWarning: 'Secrets: no OS keychain' });
    expect(item(items, 'status:secrets')).toMatchObject({
      label: '⚠ Secrets: no OS keychain',
      enabled: false,
    });
    expect(findItem(buildTrayMenu(running), 'status:secrets')).toBeUndefined();
  });

  it('gives every item a unique id', () => {
    const ids: string[] = [];
    const walk = (items: TrayMenuItem[]): void => {
      for (const i of items) {
        ids.push(i.id);
        if (i.submenu) walk(i.submenu);
      }
    };
    walk(buildTrayMenu({ ...running, moreCustomers: true }));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('calls waiting for approval in the tray', () => {
  const waiting: PendingApproval[] = [
    { id: 'apr_1', tool: 'github__delete_repo', customerId: 'acme', customer: 'Acme Corp' },
    { id: 'apr_2', tool: 'notes__delete_note', customerId: 'globex', customer: 'globex' },
  ];

  it('none waiting: no section at all', () => {
    const items = buildTrayMenu(running);
    expect(findItem(items, 'approvals')).toBeUndefined();
    expect(items.some((i) => /approval/i.test(i.label))).toBe(false);
  });

  it('a section right under the status: "N calls waiting", each call with its four decisions', () => {
    const items = buildTrayMenu({ ...running, approvals: waiting });
    expect(labels(items).slice(0, 3)).toEqual([
      'Running at http://127.0.0.1:7430',
      'Today: 12 calls, 1 error',
      '2 calls waiting for approval',
    ]);
    const section = item(items, 'approvals');
    expect(section.type).toBe('submenu');
    expect(section.enabled).not.toBe(false);
    expect(labels(section.submenu ?? [])).toEqual([
      'github__delete_repo — Acme Corp',
      'notes__delete_note — globex',
      'Open approvals in Portico…',
    ]);
    const first = item(items, 'approval:apr_1');
    expect(first.type).toBe('submenu');
    expect(first.submenu?.map((i) => [i.id, i.label, i.action])).toEqual([
      [
        'approval:apr_1:allow',
        'Allow once',
        { kind: 'decide-approval', approvalId: 'apr_1', tool: 'github__delete_repo', decision: 'allow' },
      ],
      [
        'approval:apr_1:allow-session',
        'Allow for this session',
        {
          kind: 'decide-approval',
          approvalId: 'apr_1',
          tool: 'github__delete_repo',
          decision: 'allow',
          remember: 'session',
        },
      ],
      [
        'approval:apr_1:allow-always',
        'Always allow for Acme Corp',
        {
          kind: 'decide-approval',
          approvalId: 'apr_1',
          tool: 'github__delete_repo',
          decision: 'allow',
          remember: 'always',
        },
      ],
      [
        'approval:apr_1:deny',
        'Deny',
        { kind: 'decide-approval', approvalId: 'apr_1', tool: 'github__delete_repo', decision: 'deny' },
      ],
    ]);
    expect(item(items, 'approvals:open').action).toEqual({ kind: 'open-window', route: 'approvals' });
    expect(item(buildTrayMenu({ ...running, approvals: waiting.slice(0, 1) }), 'approvals').label).toBe(
      '1 call waiting for approval',
    );
  });

  it('caps the list: the rest are "N more in Portico…"; ids stay unique; nothing while not running', () => {
    const many = Array.from(
      { length: MAX_TRAY_APPROVALS + 3 },
      (_, i): PendingApproval => ({ id: `apr_${i}`, tool: 't__x', customerId: 'acme', customer: 'Acme' }),
    );
    const items = buildTrayMenu({ ...running, approvals: many });
    const section = item(items, 'approvals');
    expect(section.label).toBe(`${MAX_TRAY_APPROVALS + 3} calls waiting for approval`);
    expect(section.submenu?.filter((i) => i.type === 'submenu')).toHaveLength(MAX_TRAY_APPROVALS);
    expect(section.submenu?.at(-1)).toMatchObject({
      label: '3 more in Portico…',
      action: { kind: 'open-window', route: 'approvals' },
    });
    const ids: string[] = [];
    const walk = (list: TrayMenuItem[]): void => {
      for (const i of list) {
        ids.push(i.id);
        if (i.submenu) walk(i.submenu);
      }
    };
    walk(items);
    expect(new Set(ids).size).toBe(ids.length);
    expect(findItem(buildTrayMenu({ ...starting, approvals: many }), 'approvals')).toBeUndefined();
  });

  it('keeps a long tool or customer name to one short line', () => {
    const long: PendingApproval = {
      id: 'apr_l',
      tool: 'x'.repeat(64),
      customerId: 'c',
      customer: `Very\n${'long '.repeat(20)}`,
    };
    const items = buildTrayMenu({ ...running, approvals: [long] });
    for (const id of ['approval:apr_l', 'approval:apr_l:allow-always']) {
      const text = item(items, id).label;
      expect(text).not.toContain('\n');
      expect(text.length).toBeLessThanOrEqual(64);
    }
  });
});

describe('the tray menu when not running', () => {
  it('while starting: gateway actions are off, Open, Start at login and Quit work', () => {
    const items = buildTrayMenu(starting);
    expect(item(items, 'status').label).toBe('Portico is starting…');
    for (const id of ['plane:admin', 'plane:gateway', 'add:admin', 'add:gateway', 'copy-admin-url']) {
      expect(item(items, id).enabled, id).toBe(false);
    }
    expect(item(items, 'plane:admin').checked).toBe(false);
    expect(item(items, 'open')).toMatchObject({ action: { kind: 'open-window' } });
    expect(item(items, 'open').enabled).not.toBe(false);
    expect(item(items, 'quit')).toMatchObject({ action: { kind: 'quit' } });
    expect(item(items, 'start-at-login').enabled).toBe(true);
  });

  it('when the port is taken: says so and offers another port or a retry', () => {
    const items = buildTrayMenu({
      ...starting,
      phase: 'failed',
      problem: { headline: 'Port 7430 is in use by another program', choices: ['pick-port', 'retry'] },
    });
    expect(labels(items).slice(0, 3)).toEqual([
      '⚠ Port 7430 is in use by another program',
      'Pick another port',
      'Try again',
    ]);
    expect(item(items, 'problem:pick-port').action).toEqual({ kind: 'problem', choice: 'pick-port' });
    expect(item(items, 'plane:gateway').enabled).toBe(false);
  });

  it('when a server already runs for the data dir: offers to use it', () => {
    const items = buildTrayMenu({
      ...starting,
      phase: 'failed',
      problem: {
        headline: 'Portico already runs for this data dir at http://127.0.0.1:7430',
        choices: ['use-running', 'retry'],
      },
    });
    expect(item(items, 'problem:use-running')).toMatchObject({
      label: 'Use the running server',
      action: { kind: 'problem', choice: 'use-running' },
    });
  });

  it('while quitting', () => {
    expect(item(buildTrayMenu({ ...starting, phase: 'stopped' }), 'status').label).toBe(
      'Portico is quitting…',
    );
  });
});

describe('the tray icon', () => {
  it('is running with both planes on, plane-off otherwise (and while starting), error when failed', () => {
    expect(trayIconState(running)).toBe('running');
    expect(trayIconState({ ...running, planes: { admin: true, gateway: false } })).toBe('plane-off');
    expect(trayIconState({ ...running, planes: { admin: false, gateway: true } })).toBe('plane-off');
    expect(trayIconState(starting)).toBe('plane-off');
    expect(trayIconState({ ...starting, phase: 'failed' })).toBe('error');
  });
});

describe('adminUrl', () => {
  it('appends the control-plane path', () => {
    expect(adminUrl('http://127.0.0.1:7430')).toBe('http://127.0.0.1:7430/mcp/admin');
    expect(adminUrl('http://127.0.0.1:7430/')).toBe('http://127.0.0.1:7430/mcp/admin');
  });
});
