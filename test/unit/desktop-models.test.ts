// The desktop shell's pure decisions, in Node: portico:// links, start problems (port taken,
// already running), notification texts, connection alerts (once per change), calls since midnight,
// and start at login (Electron's login items through the fake; the XDG autostart file for real).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApprovalView } from '../../src/main/core/gateway/approvals';
import { AlreadyRunningError } from '../../src/main/core/store/server-info';
import { ApprovalAlerts, decideFromDesktop } from '../../src/main/desktop/approval-alerts';
import { ConnectionAlerts, type ConnectionView } from '../../src/main/desktop/connection-alerts';
import { linkFromArgv, parseLink } from '../../src/main/desktop/deep-link';
import { autostartEntry, HIDDEN_FLAG, loginItem, startedHidden } from '../../src/main/desktop/login-item';
import {
  approvalDecisionFailedNotice,
  approvalRequestNotice,
  clientAddedNotice,
  createNotifier,
  type Notice,
  secretsFallbackNotice,
  startFailedNotice,
} from '../../src/main/desktop/notifications';
import {
  classifyStartError,
  problemChoices,
  problemDetail,
  problemHeadline,
} from '../../src/main/desktop/start-problem';
import { sinceLocalMidnight } from '../../src/main/desktop/tray-snapshot';
import { createFakeElectron } from '../helpers/fake-electron';
import { tempDir } from '../helpers/temp';

describe('portico:// links', () => {
  it('finds the link in a second launch’s argv', () => {
    expect(linkFromArgv(['/opt/Portico/portico', '--hidden', 'portico://open/clients'])).toBe(
      'portico://open/clients',
    );
    expect(linkFromArgv(['electron', '.', 'PORTICO://open'])).toBe('PORTICO://open');
    expect(linkFromArgv(['electron', '.'])).toBeUndefined();
  });

  it('understands portico://open[/route] and ?page=route', () => {
    expect(parseLink('portico://open')).toEqual({ ok: true, route: null });
    expect(parseLink('portico://open/')).toEqual({ ok: true, route: null });
    expect(parseLink('portico://open/customers/acme')).toEqual({ ok: true, route: 'customers/acme' });
    expect(parseLink('portico://open?page=customers/acme')).toEqual({ ok: true, route: 'customers/acme' });
    expect(parseLink('portico://OPEN/clients/')).toEqual({ ok: true, route: 'clients' });
    expect(parseLink('portico://open/customers/a%20b')).toEqual({ ok: true, route: 'customers/a%20b' });
  });

  it('refuses everything else, with a reason', () => {
    for (const link of [
      'portico://delete/everything',
      'portico://open/../../etc/passwd',
      'portico://open?page=..%2F..',
      'portico://open?page=https://evil.example',
      'portico://open/x?page=y',
      'portico://open?page=a&token=b',
      'portico://user:pw@open/x',
      'portico://open:80/x',
      'https://open/x',
      'not a url',
      `portico://open/${'a'.repeat(3000)}`,
    ]) {
      const parsed = parseLink(link);
      expect(parsed.ok, link).toBe(false);
      if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(5);
    }
  });
});

describe('start problems', () => {
  it('a port taken by another program: pick another port or try again', () => {
    const problem = classifyStartError(
      new Error(
        'Port 7430 on 127.0.0.1 is already in use by another program. Pass --port N (or --port 0 for a free one), or set PORTICO_PORT.',
      ),
      '/nowhere',
    );
    expect(problem).toMatchObject({ kind: 'port-in-use', port: 7430 });
    expect(problemChoices(problem)).toEqual(['pick-port', 'retry']);
    expect(problemHeadline(problem)).toBe('Port 7430 is in use by another program');
    expect(problemDetail(problem)).toMatch(/Pick another port/);
  });

  it('a server already running for the data dir: use it (when it has a URL) or try again', () => {
    const problem = classifyStartError(new AlreadyRunningError('Portico is already running'), tempDir());
    expect(problem).toMatchObject({ kind: 'already-running', url: null });
    expect(problemChoices(problem)).toEqual(['retry']);
    const withUrl = { kind: 'already-running' as const, url: 'http://127.0.0.1:7430', pid: 42, message: 'm' };
    expect(problemChoices(withUrl)).toEqual(['use-running', 'retry']);
    expect(problemHeadline(withUrl)).toBe('Portico already runs for this data dir at http://127.0.0.1:7430');
    expect(problemDetail(withUrl)).toMatch(/pid 42/);
  });

  it('anything else: try again, with the message', () => {
    const problem = classifyStartError(new Error('database is locked'), '/nowhere');
    expect(problem).toEqual({ kind: 'failed', message: 'database is locked' });
    expect(problemChoices(problem)).toEqual(['retry']);
    expect(startFailedNotice(problem)).toEqual({
      title: 'The gateway did not start',
      body: 'database is locked',
    });
  });
});

const added = {
  client: 'cursor' as const,
  display_name: 'Cursor',
  path: '/home/u/.cursor/mcp.json',
  server_name: 'portico-admin',
  change: 'add' as const,
  method: 'file' as const,
  backup_path: null,
  key_id: 'k1',
  key_name: 'Cursor',
  revoked_key_ids: [],
  restart_required: true,
  restart_hint: 'Quit and reopen Cursor.',
  warnings: [],
};

describe('notification texts', () => {
  it('a client config written: where, and the restart hint when the client needs one', () => {
    expect(clientAddedNotice(added)).toEqual({
      title: 'Added to Cursor',
      body: 'Added portico-admin in /home/u/.cursor/mcp.json with a new key. Restart Cursor to use it: Quit and reopen Cursor.',
    });
    expect(
      clientAddedNotice({ ...added, restart_required: false, restart_hint: 'Cursor picks it up.' }).body,
    ).toMatch(/new key\. Cursor picks it up\.$/);
    expect(clientAddedNotice({ ...added, change: 'unchanged' })).toEqual({
      title: 'Cursor already has Portico',
      body: 'portico-admin in /home/u/.cursor/mcp.json is current; nothing changed.',
    });
  });

  it('are one bounded paragraph', () => {
    const long = clientAddedNotice({ ...added, warnings: ['w\n'.repeat(400)] }).body;
    expect(long.length).toBeLessThanOrEqual(300);
    expect(long).not.toContain('\n');
    expect(secretsFallbackNotice('no keyring').body).toMatch(/^no keyring\. .*headless key store/);
  });

  it('are shown as system notifications where supported, and always logged; a click opens their page', () => {
    const fake = createFakeElectron();
    const logs: string[] = [];
    const opened: (string | undefined)[] = [];
    const notify = createNotifier(
      fake.api(),
      (l) => logs.push(l),
      (route) => opened.push(route),
    );
    const notice: Notice = { title: 'T', body: 'B', route: 'customers/acme' };
    notify(notice);
    expect(fake.notifications).toMatchObject([{ title: 'T', body: 'B', shown: true }]);
    fake.notifications[0]?.click();
    expect(opened).toEqual(['customers/acme']);
    fake.notificationsSupported = false;
    notify({ title: 'Only', body: 'logged' });
    expect(fake.notifications).toHaveLength(1);
    expect(logs).toEqual(['T: B', 'Only: logged']);
  });
});

describe('connection alerts', () => {
  const label = (customerId: string, connectorId: string) => ({
    customerId,
    customer: customerId === 'acme' ? 'Acme' : customerId,
    connector: connectorId === 'gh' ? 'GitHub' : connectorId,
  });
  const conn = (id: string, status: string, statusReason?: string): ConnectionView => ({
    id,
    customerId: 'acme',
    connectorId: 'gh',
    status,
    statusReason,
  });

  it('tell once when a connection turns expired or error, not on every refresh, and again after it recovered', () => {
    const told: Notice[] = [];
    const alerts = new ConnectionAlerts((n) => told.push(n), label);
    alerts.baseline([conn('c1', 'expired'), conn('c2', 'active')]);
    alerts.update([conn('c1', 'expired'), conn('c2', 'active')]);
    expect(told).toEqual([]); // broken before this run: not news
    alerts.update([conn('c1', 'expired'), conn('c2', 'expired', 'refresh token revoked')]);
    alerts.update([conn('c1', 'expired'), conn('c2', 'expired', 'refresh token revoked')]);
    expect(told).toEqual([
      {
        title: 'GitHub connection expired',
        body: "Acme's GitHub connection has expired (refresh token revoked). Reconnect it in Portico.",
        route: 'customers/acme',
      },
    ]);
    alerts.update([conn('c2', 'error', 'HTTP 500')]);
    expect(told.at(-1)).toMatchObject({ title: 'GitHub connection failing', body: /failed: HTTP 500/ });
    alerts.update([conn('c2', 'active')]);
    alerts.update([conn('c2', 'error')]);
    expect(told).toHaveLength(3);
    // A connection deleted and created again under the same id is a new one.
    alerts.update([]);
    alerts.update([conn('c2', 'error')]);
    expect(told).toHaveLength(4);
  });

  it('tell once when calls keep failing (3 in a row), again only after a success', () => {
    const told: Notice[] = [];
    const alerts = new ConnectionAlerts((n) => told.push(n), label);
    alerts.callFailed('acme', 'gh', 'HTTP 502');
    alerts.callFailed('acme', 'gh', 'HTTP 502');
    alerts.callFailed('acme', 'other', 'HTTP 502');
    expect(told).toEqual([]);
    alerts.callFailed('acme', 'gh', 'HTTP 503');
    alerts.callFailed('acme', 'gh', 'HTTP 503');
    expect(told).toEqual([
      {
        title: 'GitHub calls keep failing',
        body: "3 calls in a row through Acme's GitHub connection failed. Last: HTTP 503",
        route: 'customers/acme',
      },
    ]);
    alerts.callSucceeded('acme', 'gh');
    for (let i = 0; i < 3; i += 1) alerts.callFailed('acme', 'gh', 'again');
    expect(told).toHaveLength(2);
  });
});

describe('approval notifications', () => {
  const pending = (id: string, over: Partial<ApprovalView> = {}): ApprovalView => ({
    id,
    customer_id: 'acme',
    tool: 'github__delete_repo',
    connector_id: 'github',
    action: 'delete_repo',
    arguments: { owner: 'acme', repo: 'site' },
    status: 'pending',
    created_at: '2026-01-01T00:00:00.000Z',
    expires_at: '2026-01-01T00:02:00.000Z',
    ...over,
  });
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('ask "Approve tool?" with the customer and the arguments on one bounded line, Allow / Deny', () => {
    const label = {
      id: 'apr_1',
      tool: 'github__delete_repo',
      customerId: 'acme',
      customer: 'Acme',
      arguments: { owner: 'acme', repo: 'site' },
    };
    expect(approvalRequestNotice(label)).toEqual({
      title: 'Approve github__delete_repo?',
      body: 'Acme (acme) · arguments: {"owner":"acme","repo":"site"}',
      route: 'approvals',
      actions: ['Allow', 'Deny'],
    });
    expect(approvalRequestNotice({ ...label, customer: 'acme' }).body).toBe(
      'acme · arguments: {"owner":"acme","repo":"site"}',
    );
    const long = approvalRequestNotice({ ...label, arguments: { text: 'line\n'.repeat(500) } }).body;
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).not.toMatch(/\n/);
    expect(long.endsWith('…')).toBe(true);
    expect(
      approvalDecisionFailedNotice(
        't__x',
        'allow',
        'Approval apr_1 was already denied: the first decision stands.',
      ),
    ).toEqual({
      title: 'Could not allow t__x',
      body: 'Approval apr_1 was already denied: the first decision stands.',
      route: 'approvals',
    });
  });

  it('show the buttons as Electron notification actions; a button decides, a click opens Approvals', () => {
    const fake = createFakeElectron();
    const opened: (string | undefined)[] = [];
    const notify = createNotifier(
      fake.api(),
      () => {},
      (route) => opened.push(route),
    );
    const chosen: number[] = [];
    notify({ title: 'Approve t?', body: 'b', route: 'approvals', actions: ['Allow', 'Deny'] }, (i) =>
      chosen.push(i),
    );
    notify({ title: 'Plain', body: 'no buttons' });
    expect(fake.notifications.map((n) => n.actions)).toEqual([
      [
        { type: 'button', text: 'Allow' },
        { type: 'button', text: 'Deny' },
      ],
      [],
    ]);
    fake.notifications[0]?.action(1);
    fake.notifications[0]?.action(0);
    fake.notifications[0]?.action(7); // no such button: ignored
    fake.notifications[1]?.action(0); // no buttons: nothing listens
    expect(chosen).toEqual([1, 0]);
    expect(opened).toEqual([]);
    fake.notifications[0]?.click();
    expect(opened).toEqual(['approvals']);
  });

  it('tell once per waiting call, never of one decided meanwhile, and a button decides it', async () => {
    const told: { notice: Notice; onAction?: (index: number) => void }[] = [];
    const decided: [string, string][] = [];
    const alerts = new ApprovalAlerts(
      (notice, onAction) => told.push({ notice, ...(onAction ? { onAction } : {}) }),
      (id) => (id === 'acme' ? 'Acme' : id),
      (approval, decision) => decided.push([approval.id, decision]),
    );
    const a = pending('apr_a');
    alerts.changed(a);
    alerts.changed(a); // the same call again (a second watcher's replay): not twice
    await flush();
    expect(told.map((t) => t.notice.title)).toEqual(['Approve github__delete_repo?']);
    expect(told[0]?.notice.body).toBe('Acme (acme) · arguments: {"owner":"acme","repo":"site"}');
    told[0]?.onAction?.(0);
    told[0]?.onAction?.(1);
    expect(decided).toEqual([
      ['apr_a', 'allow'],
      ['apr_a', 'deny'],
    ]);

    // Requested and cancelled in the same breath (the hub mutates its record): no notification.
    const b = pending('apr_b');
    alerts.changed(b);
    b.status = 'expired';
    alerts.changed(b);
    // Decided before its "pending" was seen (a late replay): no notification either.
    alerts.changed(pending('apr_c', { status: 'allowed' }));
    alerts.changed(pending('apr_c'));
    a.status = 'allowed';
    alerts.changed(a);
    alerts.changed(pending('apr_a'));
    await flush();
    expect(told).toHaveLength(1);
  });

  it('a decision the server refuses is said with its words; one that applies is not', async () => {
    const told: Notice[] = [];
    const calls: unknown[] = [];
    const refusing = {
      call: async (name: string, input: unknown) => {
        calls.push([name, input]);
        return {
          ok: false as const,
          error: 'Approval apr_1 was already allowed (by api): the first decision stands.',
        };
      },
    };
    const ok = await decideFromDesktop(
      refusing as never,
      (n) => told.push(n),
      { id: 'apr_1', tool: 'gh__rm' },
      'deny',
    );
    expect(ok).toBe(false);
    expect(calls).toEqual([['decide_approval', { approval_id: 'apr_1', decision: 'deny' }]]);
    expect(told).toEqual([
      {
        title: 'Could not deny gh__rm',
        body: 'Approval apr_1 was already allowed (by api): the first decision stands.',
        route: 'approvals',
      },
    ]);
    const accepting = {
      call: async (name: string, input: unknown) => {
        calls.push([name, input]);
        return { ok: true as const, value: {} };
      },
    };
    expect(
      await decideFromDesktop(
        accepting as never,
        (n) => told.push(n),
        { id: 'apr_2', tool: 'gh__rm' },
        'allow',
        'always',
      ),
    ).toBe(true);
    expect(calls.at(-1)).toEqual([
      'decide_approval',
      { approval_id: 'apr_2', decision: 'allow', remember: 'always' },
    ]);
    expect(told).toHaveLength(1);
  });
});

describe('calls since local midnight', () => {
  it('counts the hours that end after midnight', () => {
    const now = new Date(2026, 0, 2, 9, 30);
    const midnight = new Date(2026, 0, 2, 0, 0).getTime();
    const hour = (offset: number) => new Date(midnight + offset * 3_600_000).toISOString();
    const buckets = [
      { hour: hour(-2), calls: 100, errors: 9 },
      { hour: hour(-1), calls: 50, errors: 5 }, // ends at midnight: yesterday
      { hour: hour(0), calls: 3, errors: 1 },
      { hour: hour(9), calls: 4, errors: 0 },
    ];
    expect(sinceLocalMidnight(buckets, now)).toEqual({ calls: 7, errors: 1 });
    expect(sinceLocalMidnight([], now)).toEqual({ calls: 0, errors: 0 });
  });
});

describe('start at login', () => {
  it('macOS and Windows: the OS login item, with --hidden, read back from Electron', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const fake = createFakeElectron();
      const app = fake.api().app;
      const item = loginItem({ app, platform, execPath: '/Apps/Portico', appArgs: [], env: {} });
      expect(item.supported).toBe(true);
      expect(item.enabled()).toBe(false); // off by default
      item.set(true);
      expect(fake.app.loginItem).toEqual({ openAtLogin: true, args: [HIDDEN_FLAG] });
      expect(item.enabled()).toBe(true);
      item.set(false);
      expect(item.enabled()).toBe(false);
    }
  });

  it('Linux: an XDG autostart entry that starts the app hidden', () => {
    const config = tempDir();
    const fake = createFakeElectron();
    const item = loginItem({
      app: fake.api().app,
      platform: 'linux',
      execPath: '/opt/Portico Beta/portico',
      appArgs: ['/home/u/src/portico'],
      env: { XDG_CONFIG_HOME: config },
    });
    const file = join(config, 'autostart', 'portico.desktop');
    expect(item.enabled()).toBe(false);
    item.set(true);
    expect(readFileSync(file, 'utf8')).toContain(
      'Exec="/opt/Portico Beta/portico" /home/u/src/portico --hidden\n',
    );
    expect(item.enabled()).toBe(true);
    item.set(false);
    expect(existsSync(file)).toBe(false);
    expect(item.enabled()).toBe(false);
    expect(autostartEntry('/a/$b', [])).toContain('Exec="/a/\\$b" --hidden');
  });

  it('a start at login shows no window', () => {
    const fake = createFakeElectron();
    const app = fake.api().app;
    expect(startedHidden({ app, platform: 'linux' }, ['portico', '--hidden'])).toBe(true);
    expect(startedHidden({ app, platform: 'linux' }, ['portico'])).toBe(false);
    fake.app.wasOpenedAtLogin = true;
    expect(startedHidden({ app, platform: 'darwin' }, ['portico'])).toBe(true);
  });
});
