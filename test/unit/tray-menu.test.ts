import { describe, expect, it } from 'vitest';
import { adminUrl, buildTrayMenu, type TrayMenuItem, type TrayState } from '../../src/main/desktop/tray-menu';

const running: TrayState = {
  url: 'http://127.0.0.1:7430',
  planes: { admin: true, gateway: false },
  customers: [
    { id: 'acme', name: 'Acme Corp' },
    { id: 'globex', name: 'Globex' },
  ],
};

function find(items: TrayMenuItem[], id: string): TrayMenuItem {
  const item = items.find((candidate) => candidate.id === id);
  if (!item) throw new Error(`no menu item ${id} in ${items.map((i) => i.id).join(', ')}`);
  return item;
}

describe('buildTrayMenu', () => {
  it('lists the status, planes, client actions, customers and app items in order', () => {
    const items = buildTrayMenu(running);
    expect(items.filter((item) => item.type !== 'separator').map((item) => item.label)).toEqual([
      'Listening on http://127.0.0.1:7430',
      'Admin MCP (control plane)',
      'Customer gateway (data plane)',
      'Add admin to Claude Desktop',
      'Add admin to Cursor',
      'Acme Corp gateway',
      'Globex gateway',
      'Open Portico…',
      'Copy admin URL',
      'Quit',
    ]);
    expect(find(items, 'status').enabled).toBe(false);
  });

  it('shows each plane as a checkbox whose click flips it', () => {
    const items = buildTrayMenu(running);
    const admin = find(items, 'plane:admin');
    const gateway = find(items, 'plane:gateway');
    expect(admin).toMatchObject({ type: 'checkbox', checked: true, enabled: true });
    expect(admin.action).toEqual({ kind: 'set-plane', plane: 'admin', enabled: false });
    expect(gateway).toMatchObject({ type: 'checkbox', checked: false, enabled: true });
    expect(gateway.action).toEqual({ kind: 'set-plane', plane: 'gateway', enabled: true });
  });

  it('adds the admin server to Claude Desktop and Cursor', () => {
    const items = buildTrayMenu(running);
    expect(find(items, 'add:admin:claude-desktop').action).toEqual({
      kind: 'add-client',
      client: 'claude-desktop',
      plane: 'admin',
    });
    expect(find(items, 'add:admin:cursor').action).toEqual({
      kind: 'add-client',
      client: 'cursor',
      plane: 'admin',
    });
  });

  it('gives each customer a submenu adding its gateway to each client', () => {
    const acme = find(buildTrayMenu(running), 'customer:acme');
    expect(acme.type).toBe('submenu');
    expect(acme.submenu?.map((item) => [item.label, item.action])).toEqual([
      [
        'Add to Claude Desktop',
        { kind: 'add-client', client: 'claude-desktop', plane: 'gateway', customerId: 'acme' },
      ],
      ['Add to Cursor', { kind: 'add-client', client: 'cursor', plane: 'gateway', customerId: 'acme' }],
    ]);
  });

  it('omits the customer section when there are no customers', () => {
    const items = buildTrayMenu({ ...running, customers: [] });
    expect(items.some((item) => item.id.startsWith('customer:'))).toBe(false);
    expect(items.some((item) => item.id === 'sep:customers')).toBe(false);
  });

  it('keeps customer labels to one short line and falls back to the id for a blank name', () => {
    const items = buildTrayMenu({
      ...running,
      customers: [
        { id: 'long', name: `A\nvery ${'long '.repeat(20)}name` },
        { id: 'blank', name: '  ' },
      ],
    });
    const long = find(items, 'customer:long').label;
    expect(long).not.toContain('\n');
    expect(long.length).toBeLessThanOrEqual(48);
    expect(long.endsWith('…')).toBe(true);
    expect(find(items, 'customer:blank').label).toBe('blank gateway');
  });

  it('disables gateway actions while starting, but keeps Open and Quit', () => {
    const items = buildTrayMenu({ url: null, planes: { admin: false, gateway: false }, customers: [] });
    expect(find(items, 'status').label).toBe('Starting…');
    for (const id of [
      'plane:admin',
      'plane:gateway',
      'add:admin:claude-desktop',
      'add:admin:cursor',
      'copy-admin-url',
    ]) {
      expect(find(items, id).enabled, id).toBe(false);
    }
    expect(find(items, 'open')).toMatchObject({ action: { kind: 'open-window' } });
    expect(find(items, 'open').enabled).not.toBe(false);
    expect(find(items, 'quit')).toMatchObject({ action: { kind: 'quit' } });
    expect(find(items, 'quit').enabled).not.toBe(false);
  });

  it('shows the error on the status line instead of a URL', () => {
    const items = buildTrayMenu({
      url: null,
      planes: { admin: false, gateway: false },
      customers: [],
      error: 'Portico is already running at http://127.0.0.1:7430',
    });
    expect(find(items, 'status').label).toBe('Error: Portico is already running at http://127.0.0.1:7430');
    expect(find(items, 'plane:admin').enabled).toBe(false);
  });

  it('gives every item a unique id', () => {
    const ids: string[] = [];
    const walk = (items: TrayMenuItem[]): void => {
      for (const item of items) {
        ids.push(item.id);
        if (item.submenu) walk(item.submenu);
      }
    };
    walk(buildTrayMenu(running));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('adminUrl', () => {
  it('appends the control-plane path', () => {
    expect(adminUrl('http://127.0.0.1:7430')).toBe('http://127.0.0.1:7430/mcp/admin');
    expect(adminUrl('http://127.0.0.1:7430/')).toBe('http://127.0.0.1:7430/mcp/admin');
  });
});
