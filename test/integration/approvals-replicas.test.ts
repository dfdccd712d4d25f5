// Team mode (issue 15): approvals live in the database, so a call waiting on one replica is listed
// and decided on another — the decision reaches the replica holding the call at once (NOTIFY) —
// and the first decision wins across replicas too.

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { mintKey } from '../../src/main/core/admin/keys';
import type { PorticoApp } from '../../src/main/core/app';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient } from '../helpers/gateway';
import { adminOk, startReplicas } from '../helpers/replicas';

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
}
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

const apps: PorticoApp[] = [];
const clients: Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  for (const app of apps) await app.close();
});

async function call(app: PorticoApp, name: string, args: unknown) {
  const result = await app.callTool(name, args, 'internal');
  return result;
}
async function pendingOn(app: PorticoApp, tool: string, seen: Set<string>) {
  for (let i = 0; i < 200; i++) {
    const listed = (await adminOk(app, 'list_approvals', { status: 'pending' })).approvals as {
      id: string;
      tool: string;
    }[];
    const found = listed.find((a) => a.tool === tool && !seen.has(a.id));
    if (found) return found.id;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no approval appeared');
}

describe.skipIf(!inject('postgresUrl'))('approvals across replicas on one PostgreSQL', () => {
  it('a call waiting on replica A is listed and decided on replica B; the first decision wins', async () => {
    const [a, b] = (await startReplicas(2)) as [PorticoApp, PorticoApp];
    apps.push(a, b);
    const echo = await startEchoUpstream();
    await adminOk(a, 'create_connector', { slug: 'files', name: 'Files', kind: 'http', base_url: echo.url });
    await adminOk(a, 'create_action', {
      connector_id: 'files',
      name: 'remove',
      method: 'DELETE',
      path: '/echo/remove',
    });
    await adminOk(a, 'create_customer', { id: 'acme', name: 'Acme' });
    await adminOk(a, 'configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['files'],
    });
    await adminOk(a, 'set_approval_policy', { customer_id: 'acme', policy: 'destructive' });
    const key = a.store.mutate((ws) => mintKey(ws, { name: 'sdk', scope: 'gateway' })).key;
    await a.store.flushed();
    const client = await connectClient(`${a.url}/mcp/gateway?customer_id=acme`, bearer(key));
    clients.push(client);
    const remove = () => client.callTool({ name: 'files__remove', arguments: {} }) as Promise<Result>;
    const seen = new Set<string>();

    // Allowed on B: A's waiting call runs.
    const first = remove();
    const id1 = await pendingOn(b, 'files__remove', seen);
    seen.add(id1);
    const decided = await adminOk(b, 'decide_approval', { approval_id: id1, decision: 'allow' });
    expect(decided.approval).toMatchObject({ id: id1, status: 'allowed', decided_by: 'internal' });
    const result = await first;
    expect(result.isError, text(result)).toBeFalsy();
    expect(echo.received.filter((r) => r.method === 'DELETE')).toHaveLength(1);

    // Decided on A and B at once: exactly one decision stands, and the call ends with it.
    const second = remove();
    const id2 = await pendingOn(b, 'files__remove', seen);
    const [onA, onB] = await Promise.all([
      call(a, 'decide_approval', { approval_id: id2, decision: 'deny' }),
      call(b, 'decide_approval', { approval_id: id2, decision: 'allow' }),
    ]);
    expect([onA.ok, onB.ok].filter(Boolean)).toHaveLength(1);
    const loser = onA.ok ? onB : onA;
    expect(loser.ok ? '' : loser.error).toMatch(/already (allowed|denied).*the first decision stands/);
    const outcome = await second;
    expect(outcome.isError ?? false).toBe(!onB.ok);
    // Both replicas list the same decision.
    const onBoth = await Promise.all(
      [a, b].map(
        async (app) =>
          (
            (await adminOk(app, 'list_approvals', { status: 'decided' })).approvals as {
              id: string;
              status: string;
            }[]
          ).find((x) => x.id === id2)?.status,
      ),
    );
    expect(onBoth[0]).toBe(onBoth[1]);
    expect(onBoth[0]).toBe(onA.ok ? 'denied' : 'allowed');

    // "Allow for this session" holds where the session goes on: its next call, on replica B, runs
    // without asking; another session of the same key is still asked.
    const third = remove();
    const id3 = await pendingOn(b, 'files__remove', seen);
    seen.add(id2).add(id3);
    await adminOk(b, 'decide_approval', { approval_id: id3, decision: 'allow', remember: 'session' });
    expect((await third).isError ?? false).toBe(false);
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId ?? '';
    const onReplicaB = await fetch(`${b.url}/mcp/gateway?customer_id=acme`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
        ...bearer(key),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'files__remove', arguments: {} },
      }),
    });
    const answer = (await onReplicaB.json()) as { result?: Result };
    expect(answer.result, JSON.stringify(answer)).toBeDefined();
    expect(answer.result?.isError ?? false, JSON.stringify(answer)).toBe(false);
    expect((await adminOk(b, 'list_approvals', { status: 'pending' })).approvals).toEqual([]);
    const other = await connectClient(`${b.url}/mcp/gateway?customer_id=acme`, bearer(key));
    clients.push(other);
    const asked = other.callTool({ name: 'files__remove', arguments: {} }) as Promise<Result>;
    const id4 = await pendingOn(b, 'files__remove', seen);
    await adminOk(a, 'decide_approval', { approval_id: id4, decision: 'deny' });
    expect((await asked).isError).toBe(true);
  }, 30_000);
});
