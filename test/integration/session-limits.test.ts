// Class 7 of the hardening issue: sessions end. Idle sessions expire (then 404, and the client
// re-initializes), and one key holds a bounded number of open sessions (then 429), on both planes,
// through a real server — raw HTTP, the MCP SDK client, and the `portico serve` flags.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/main/cli/output';
import { serveCommand } from '../../src/main/cli/serve-command';
import { mintKey } from '../../src/main/core/admin/keys';
import { type PorticoApp, startPortico } from '../../src/main/core/app';
import type { PlaneName } from '../../src/main/core/store/schema';
import { portico, serve } from '../helpers/cli';
import { bearer, initializeBody, rawPost } from '../helpers/gateway';
import { workspaceTarget } from '../helpers/store';
import { tempDir } from '../helpers/temp';

const IDLE_SECONDS = 1;
const MAX_PER_KEY = 3;

let app: PorticoApp;
const endpoint: Record<PlaneName, string> = { admin: '', gateway: '' };

beforeAll(async () => {
  const { dataDir, databaseUrl } = await workspaceTarget('sqlite');
  app = await startPortico({
    dataDir,
    databaseUrl,
    host: '127.0.0.1',
    port: 0,
    log: () => {},
    sessionIdleTimeoutSeconds: IDLE_SECONDS,
    maxSessionsPerKey: MAX_PER_KEY,
  });
  await app.callTool('create_customer', { id: 'acme', name: 'Acme' }, 'internal');
  endpoint.admin = `${app.url}/mcp/admin`;
  endpoint.gateway = `${app.url}/mcp/gateway?customer_id=acme`;
});
afterAll(() => app.close());

const mint = (plane: PlaneName) =>
  app.store.mutate((ws) => mintKey(ws, { name: `limits ${plane}`, scope: plane })).key;

/** Waits until `check` holds, polling every 25 ms, failing after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A window in which something must NOT happen (there is no event to wait on for that). */
const observe = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sessionHeaders = (key: string, id: string) => ({
  ...bearer(key),
  'mcp-session-id': id,
  'mcp-protocol-version': '2025-06-18',
});

/** initialize + notifications/initialized over raw HTTP; the new session's id. */
async function open(plane: PlaneName, key: string): Promise<string> {
  const init = await rawPost(endpoint[plane], initializeBody, bearer(key));
  expect(init.status, init.text).toBe(200);
  const id = init.headers.get('mcp-session-id') ?? '';
  expect(id).not.toBe('');
  const note = await rawPost(
    endpoint[plane],
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    sessionHeaders(key, id),
  );
  expect(note.status).toBe(202);
  return id;
}

const listTools = (plane: PlaneName, key: string, id: string) =>
  rawPost(
    endpoint[plane],
    JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
    sessionHeaders(key, id),
  );

const count = (plane: PlaneName) => app.sessionCount()[plane];

describe.each(['admin', 'gateway'] as const)('%s plane', (plane) => {
  it('an idle session expires after the timeout; its id then answers 404 saying so, and re-initializing works', async () => {
    const key = mint(plane);
    const before = count(plane);
    const id = await open(plane, key);
    expect((await listTools(plane, key, id)).status).toBe(200);
    const lastActivity = Date.now();
    expect(count(plane)).toBe(before + 1);
    // Nothing touches the session while we wait: only the server's own count is polled.
    await until('the session expired', () => count(plane) === before);
    expect(Date.now() - lastActivity).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 50);

    const gone = await listTools(plane, key, id);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toMatch(/^application\/json/);
    expect(gone.json?.error?.message).toMatch(
      /^Session not found: it expired after 1 s without activity \(portico serve --session-idle-timeout SECONDS\)\. Initialize a new session/,
    );
    // GET and DELETE on the expired id say the same.
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(endpoint[plane], {
        method,
        headers: { ...sessionHeaders(key, id), accept: 'text/event-stream' },
      });
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/Session not found: it expired/);
    }
    // An id that never existed: 404 too, naming expiry among the reasons.
    const unknown = await listTools(plane, key, '5b8e7f0c-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.json?.error?.message).toMatch(
      /^Session not found: it expired \(sessions idle for 1 s are closed\), was closed, or the server restarted\. Initialize a new session/,
    );

    const again = await open(plane, key);
    expect(again).not.toBe(id);
    expect((await listTools(plane, key, again)).status).toBe(200);
    await fetch(endpoint[plane], { method: 'DELETE', headers: sessionHeaders(key, again) });
  });

  it('a session in use does not expire: requests and an open GET stream keep it; the clock starts when they end', async () => {
    const key = mint(plane);
    const id = await open(plane, key);
    // Requests every 300 ms for 2.5 timeouts: the session never idles long enough to expire.
    const until2_5 = Date.now() + 2_500;
    while (Date.now() < until2_5) {
      expect((await listTools(plane, key, id)).status).toBe(200);
      await observe(300);
    }
    // The standalone GET stream (how a connected client hears list_changed) is activity too.
    const stream = new AbortController();
    const get = await fetch(endpoint[plane], {
      headers: { ...sessionHeaders(key, id), accept: 'text/event-stream' },
      signal: stream.signal,
    });
    expect(get.status).toBe(200);
    // Nothing to wait on for a thing that must not happen: watch for two timeouts' worth.
    await observe(2 * IDLE_SECONDS * 1000 + 200);
    expect((await listTools(plane, key, id)).status).toBe(200);
    // A disconnected client's session is idle from the moment its stream closed.
    const before = count(plane);
    stream.abort();
    await get.body?.cancel().catch(() => {});
    await until('the session expired', () => count(plane) === before - 1);
    expect((await listTools(plane, key, id)).status).toBe(404);
  });

  it('a key holds at most N sessions: the next initialize gets 429 naming the limit; DELETE and expiry free the slots', async () => {
    const key = mint(plane);
    const other = mint(plane);
    const ids = [];
    for (let i = 0; i < MAX_PER_KEY; i += 1) ids.push(await open(plane, key));
    const refused = await rawPost(endpoint[plane], initializeBody, bearer(key));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    const message = refused.json?.error?.message ?? '';
    expect(message).toMatch(/^Too many open sessions: this API key already holds 3 open sessions/);
    expect(message).toContain('the most one key may hold (3)');
    expect(message).toContain('portico serve --max-sessions-per-key N');
    expect(message).toContain('PORTICO_MAX_SESSIONS_PER_KEY');
    expect(message).toContain(`HTTP DELETE ${plane === 'admin' ? '/mcp/admin' : '/mcp/gateway'}`);
    expect(message).not.toContain(key);
    // The limit is per key: another key is not affected.
    const others = await open(plane, other);

    // DELETE ends a session and frees its slot at once.
    const deleted = await fetch(endpoint[plane], {
      method: 'DELETE',
      headers: sessionHeaders(key, ids[0] ?? ''),
    });
    expect(deleted.status).toBe(200);
    const replacement = await open(plane, key);
    expect((await rawPost(endpoint[plane], initializeBody, bearer(key))).status).toBe(429);

    // Expiry frees them too: retrying initialize (which touches no session) succeeds once they expired.
    await until(
      'a slot freed by expiry',
      async () => (await rawPost(endpoint[plane], initializeBody, bearer(key))).status === 200,
    );
    await until('every session expired', () => count(plane) === 0);
    for (const id of [...ids.slice(1), replacement])
      expect((await listTools(plane, key, id)).status).toBe(404);
    expect((await listTools(plane, other, others)).status).toBe(404);
  });

  it('concurrent initializes cannot overshoot the limit', async () => {
    const key = mint(plane);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => rawPost(endpoint[plane], initializeBody, bearer(key))),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(MAX_PER_KEY);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10 - MAX_PER_KEY);
    await until('they expired', () => count(plane) === 0);
  });

  it('the MCP SDK client sees 404 on an expired session and a new client connects', async () => {
    const key = mint(plane);
    const client = new Client({ name: 'limits', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(endpoint[plane]), {
      requestInit: { headers: bearer(key) },
    });
    await client.connect(transport);
    await client.listTools();
    const id = transport.sessionId ?? '';
    // Its GET stream keeps the session while connected; close it without DELETE (a client that
    // went away), and the session expires.
    await transport.close();
    await until('the abandoned session expired', () => count(plane) === 0);
    const gone = await listTools(plane, key, id);
    expect(gone.status).toBe(404);

    const fresh = new Client({ name: 'limits', version: '1' });
    const freshTransport = new StreamableHTTPClientTransport(new URL(endpoint[plane]), {
      requestInit: { headers: bearer(key) },
    });
    await fresh.connect(freshTransport);
    // The SDK's error on the expired id carries Portico's wording.
    const staleTransport = new StreamableHTTPClientTransport(new URL(endpoint[plane]), {
      requestInit: { headers: bearer(key) },
      sessionId: id,
    });
    await staleTransport.start();
    const error = await staleTransport.send({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect(error instanceof StreamableHTTPError ? error.code : 0).toBe(404);
    expect(String(error)).toMatch(/Session not found: it expired after 1 s/);
    await staleTransport.close();
    expect((await fresh.listTools()).tools).toBeDefined();
    await freshTransport.terminateSession();
    await fresh.close();
  });
});

describe('configuration', () => {
  it('startPortico refuses limits out of range before opening anything', async () => {
    const dataDir = tempDir();
    for (const bad of [
      { sessionIdleTimeoutSeconds: 0 },
      { sessionIdleTimeoutSeconds: -1 },
      { sessionIdleTimeoutSeconds: Number.NaN },
      { maxSessionsPerKey: 0 },
      { maxSessionsPerKey: 1.5 },
    ]) {
      await expect(startPortico({ dataDir, port: 0, log: () => {}, ...bad })).rejects.toThrow(RangeError);
    }
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
  });

  it('portico serve rejects bad --session-idle-timeout / --max-sessions-per-key values with a usage error', async () => {
    const dir = tempDir();
    const io = { out: () => {}, err: () => {} };
    // In process for the matrix (the flags are checked before anything starts)…
    const refusal = (argv: string[]) =>
      serveCommand({ dataDir: dir }, ['--port', '0', ...argv], io).then(
        () => 'started',
        (error: unknown) => (error instanceof UsageError ? error.message : `not a usage error: ${error}`),
      );
    for (const [flag, value] of [
      ['--session-idle-timeout', '0'],
      ['--session-idle-timeout', '-5'],
      ['--session-idle-timeout', 'abc'],
      ['--session-idle-timeout', '1.5'],
      ['--session-idle-timeout', '1e3'],
      ['--session-idle-timeout', ''],
      ['--max-sessions-per-key', '0'],
      ['--max-sessions-per-key', '-1'],
      ['--max-sessions-per-key', 'lots'],
      ['--max-sessions-per-key', '99999999999999999999'],
    ] as const) {
      const message = await refusal([`${flag}=${value}`]);
      expect(message, `${flag}=${value}`).toContain(`Invalid ${flag} "${value}"`);
      expect(message).toMatch(/a whole number of at least 1/);
    }
    for (const [env, value] of [
      ['PORTICO_SESSION_IDLE_TIMEOUT', '0'],
      ['PORTICO_MAX_SESSIONS_PER_KEY', 'x'],
    ] as const) {
      process.env[env] = value;
      try {
        expect(await refusal([])).toContain(`Invalid ${env} "${value}"`);
      } finally {
        delete process.env[env];
      }
    }
    expect(existsSync(join(dir, 'server.json'))).toBe(false);
    // …and once through the real command: exit code 2, the message on stderr, nothing started.
    const result = portico(['serve', '--port', '0', '--data-dir', dir, '--session-idle-timeout=0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid --session-idle-timeout "0"');
    expect(portico(['serve', '--port', '0', '--data-dir', dir, '--max-sessions-per-key']).code).toBe(2);
    expect(existsSync(join(dir, 'server.json'))).toBe(false);
  }, 60_000);

  it('portico serve --session-idle-timeout 1 --max-sessions-per-key 2 (and the env variable) take effect', async () => {
    const dir = tempDir();
    const created = portico([
      'keys',
      'create',
      '--name',
      'g',
      '--scope',
      'admin',
      '--json',
      '--data-dir',
      dir,
    ]);
    const key = JSON.parse(created.stdout).key as string;
    const served = await serve(['--data-dir', dir, '--max-sessions-per-key', '2'], {
      PORTICO_SESSION_IDLE_TIMEOUT: '1',
    });
    const url = `${served.url}/mcp/admin`;
    const first = await rawPost(url, initializeBody, bearer(key));
    const second = await rawPost(url, initializeBody, bearer(key));
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await rawPost(url, initializeBody, bearer(key));
    expect(third.status).toBe(429);
    expect(third.json?.error?.message).toContain('the most one key may hold (2)');
    await until(
      'a slot freed by expiry',
      async () => (await rawPost(url, initializeBody, bearer(key))).status === 200,
    );
    const stale = await rawPost(
      url,
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      sessionHeaders(key, first.headers.get('mcp-session-id') ?? ''),
    );
    expect(stale.status).toBe(404);
    expect(stale.json?.error?.message).toMatch(/^Session not found: it expired after 1 s/);
    expect(await served.stop()).toBe(0);
  }, 60_000);
});
