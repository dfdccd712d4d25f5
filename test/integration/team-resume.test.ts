// Team mode (issue 15 item 1): streams resume on any replica (Streamable HTTP's Last-Event-ID).
// - The standalone GET stream: a client that reconnects to replica B with the last event id it
//   saw on A gets what was sent meanwhile, and only its own session's events.
// - A POST's response stream cut mid-call: the SDK client resumes it; on the replica running the
//   call it gets the answer, elsewhere a clear error saying the call's replica stopped — never a
//   call that hangs until the client's timeout.
// - Resource subscriptions follow the session to the replica it goes on with.
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintKey } from '../../src/main/core/admin/keys';
import type { PorticoApp } from '../../src/main/core/app';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { everythingServerCommand } from '../helpers/everything';
import { bearer, connectClient } from '../helpers/gateway';
import { adminOk, startReplicas, until } from '../helpers/replicas';

const apps: PorticoApp[] = [];
const clients: Client[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  for (const close of closers) await close();
  for (const app of apps) await app.close();
});

/** A proxy whose target can be switched, and whose open answers can be cut (a replica's death, as the client sees it). */
async function startSwitchProxy(initial: string) {
  let target = initial;
  const open = new Set<ServerResponse>();
  const forwarded: { method: string; target: string; lastEventId?: string; status?: number }[] = [];
  const server = createServer((req, res) => {
    const to = new URL(target);
    const lastEventId = req.headers['last-event-id'];
    const record: (typeof forwarded)[number] = {
      method: req.method ?? '',
      target: to.origin,
      ...(typeof lastEventId === 'string' ? { lastEventId } : {}),
    };
    forwarded.push(record);
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
        agent: false,
      },
      (answer) => {
        record.status = answer.statusCode ?? 502;
        // Headers go out at once, as a real proxy streams them (Node would hold them for the body).
        res.writeHead(answer.statusCode ?? 502, answer.headers).flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    route: (to: string) => {
      target = to;
    },
    /** Cuts every answer still streaming (their requests upstream go with them). */
    cut: () => {
      for (const res of open) res.destroy();
    },
  };
}

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** Opens a session on `url` (raw HTTP, protocol 2025-11-25): its id. */
async function openSession(url: string, key: string): Promise<string> {
  const init = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, ...bearer(key) },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  await init.text();
  const id = init.headers.get('mcp-session-id') ?? '';
  expect(id).not.toBe('');
  const initialized = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, ...bearer(key), 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  expect(initialized.status).toBe(202);
  return id;
}

/** A standalone GET stream, read event by event. */
async function openStream(url: string, key: string, sessionId: string, lastEventId?: string) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: {
      accept: 'text/event-stream',
      ...bearer(key),
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
    signal: controller.signal,
  });
  expect(res.status, await (res.ok ? '' : res.clone().text())).toBe(200);
  const events: { id?: string; data: unknown }[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: ?(.*)$/m.exec(block)?.[1];
          const data = /^data: ?(.*)$/m.exec(block)?.[1];
          if (data) events.push({ ...(id ? { id } : {}), data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    close: async () => {
      controller.abort();
      await pump;
    },
  };
}

const DOC = 'demo://resource/static/document/features.md';

const isListChanged = (e: { data: unknown }) =>
  (e.data as { method?: string }).method === 'notifications/tools/list_changed';

describe.skipIf(!inject('postgresUrl'))('streams resume on any replica (Last-Event-ID)', () => {
  let a: PorticoApp;
  let b: PorticoApp;
  let key = '';
  let probes = 0;
  /** A change every gateway session of acme hears as tools/list_changed. */
  const change = () =>
    adminOk(a, 'create_action', {
      connector_id: 'echo',
      name: `probe_${++probes}`,
      method: 'GET',
      path: '/echo/probe',
    });

  beforeAll(async () => {
    [a, b] = (await startReplicas(2)) as [PorticoApp, PorticoApp];
    apps.push(a, b);
    const echo = await startEchoUpstream();
    closers.push(() => echo.close());
    await adminOk(a, 'create_connector', { slug: 'echo', name: 'Echo', kind: 'http', base_url: echo.url });
    await adminOk(a, 'create_action', {
      connector_id: 'echo',
      name: 'slow',
      method: 'GET',
      path: '/delay/1500',
    });
    await adminOk(a, 'create_connector', {
      slug: 'ev',
      name: 'Everything',
      kind: 'mcp',
      transport: 'stdio',
      ...everythingServerCommand(),
    });
    await adminOk(a, 'create_customer', { id: 'acme', name: 'Acme' });
    await adminOk(a, 'create_connection', { customer_id: 'acme', connector_id: 'echo', credentials: {} });
    await adminOk(a, 'create_connection', { customer_id: 'acme', connector_id: 'ev', credentials: {} });
    await adminOk(a, 'configure_customer_tools', { customer_id: 'acme', mode: 'all' });
    const minted = a.store.mutate((ws) => mintKey(ws, { name: 'agent', scope: 'gateway' }));
    key = minted.key;
    await a.store.flushed();
    await until(
      () => Boolean(b.store.data.apiKeys[minted.record.id] && b.store.data.customers.acme),
      5_000,
      'the workspace on replica B',
    );
  }, 30_000);

  it('a GET stream cut on A resumes on B with Last-Event-ID: what was sent meanwhile, then live', async () => {
    const onA = `${a.url}/mcp/gateway?customer_id=acme`;
    const onB = `${b.url}/mcp/gateway?customer_id=acme`;
    const session = await openSession(onA, key);
    const first = await openStream(onA, key, session);
    await change();
    await until(() => first.events.some(isListChanged), 3_000, 'list_changed on A');
    const seen = first.events.filter(isListChanged).at(-1)?.id ?? '';
    expect(seen).toMatch(/^g\d+$/);
    await first.close();

    // Sent while no stream was open: kept for the session, in the database.
    await change();
    await new Promise((r) => setTimeout(r, 300));
    await change();
    const resumed = await openStream(onB, key, session, seen);
    await until(() => resumed.events.some(isListChanged), 3_000, 'the missed list_changed, replayed on B');
    const replayed = resumed.events.filter(isListChanged);
    for (const event of replayed) expect(Number(event.id?.slice(1))).toBeGreaterThan(Number(seen.slice(1)));
    // Then live, on B: a change made through A reaches the resumed stream.
    const count = resumed.events.length;
    await change();
    await until(() => resumed.events.length > count, 3_000, 'a live list_changed on the resumed stream');
    await resumed.close();

    // Another session presenting an old event id gets its own events only: none of the first one's.
    const other = await openSession(onB, key);
    const foreign = await openStream(onB, key, other, 'g0');
    await new Promise((r) => setTimeout(r, 500));
    expect(foreign.events).toEqual([]);
    await foreign.close();
  }, 30_000);

  it('a call whose stream is cut resumes: answered on its replica, a clear error on another', async () => {
    const proxy = await startSwitchProxy(a.url);
    const client = await connectClient(`${proxy.url}/mcp/gateway?customer_id=acme`, bearer(key));
    clients.push(client);
    // A progress token takes the SDK's streaming path (the fast path answers plain calls as JSON).
    const slow = () =>
      client.callTool({ name: 'echo__slow', arguments: {} }, undefined, {
        onprogress: () => {},
        timeout: 20_000,
      });

    // Cut, and resumed on the replica running the call: the answer arrives.
    const same = slow();
    await new Promise((r) => setTimeout(r, 400));
    proxy.cut();
    const answered = (await same) as { isError?: boolean; content: { text?: string }[] };
    expect(answered.isError, JSON.stringify(answered)).toBeFalsy();
    expect(proxy.forwarded.some((f) => f.method === 'GET' && f.lastEventId?.startsWith('p~'))).toBe(true);

    // Cut, and resumed on another replica (as when the first one dies): an error saying so.
    const other = slow().then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await new Promise((r) => setTimeout(r, 400));
    proxy.route(b.url);
    proxy.cut();
    expect(await other).toMatch(
      /stopped \(or could not be reached\) before it answered.*Retry it if that is safe/,
    );
    // The session goes on, on B.
    const after = (await client.callTool({ name: 'echo__ping_missing', arguments: {} }).catch((e: Error) => ({
      isError: true,
      content: [{ text: e.message }],
    }))) as { isError?: boolean; content: { text?: string }[] };
    expect(after.content[0]?.text ?? '').not.toMatch(/Session not found/);
    const listed = await client.listTools();
    expect(listed.tools.map((t) => t.name)).toContain('echo__slow');
  }, 40_000);

  it("a session's resource subscriptions go with it to the replica it goes on with", async () => {
    const proxy = await startSwitchProxy(a.url);
    const client = await connectClient(`${proxy.url}/mcp/gateway?customer_id=acme`, bearer(key));
    clients.push(client);
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    await client.listResources();
    await client.subscribeResource({ uri: DOC });
    // From now on B serves the session; its stream (once open) moves there too.
    await until(
      () => proxy.forwarded.some((f) => f.method === 'GET' && f.status === 200),
      5_000,
      'the GET stream',
    );
    proxy.route(b.url);
    proxy.cut();
    await until(
      () => proxy.forwarded.some((f) => f.method === 'GET' && f.target === new URL(b.url).origin),
      10_000,
      `the GET stream reconnected through B: ${JSON.stringify(proxy.forwarded)}}`,
    );
    // B's own server-everything child starts sending updates for what is subscribed on B: only the
    // restored subscription can have put DOC there.
    const started = await client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
    expect(started.isError, JSON.stringify(started)).toBeFalsy();
    await until(() => updates.includes(DOC), 10_000, 'resources/updated for the subscription, from B');
    await client.callTool({ name: 'ev__toggle-subscriber-updates', arguments: {} });
    await client.unsubscribeResource({ uri: DOC });
    const session = (client.transport as StreamableHTTPClientTransport).sessionId ?? '';
    const rows = await b.store.database?.db
      .selectFrom('mcp_subscriptions')
      .select('uri')
      .where('session_id', '=', session)
      .execute();
    expect(rows).toEqual([]);
  }, 40_000);
});
