import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { verify } from '../../src/main/core/webhooks/signing';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that hands out deliveries as they arrive. */
async function receiver() {
  const queue: Delivery[] = [];
  const waiting: ((d: Delivery) => void)[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      res.writeHead(204).end();
      const d = { headers: req.headers, body };
      const wake = waiting.shift();
      if (wake) wake(d);
      else queue.push(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    next: () =>
      new Promise<Delivery>((resolve) =>
        queue.length ? resolve(queue.shift() as Delivery) : waiting.push(resolve),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('data-plane calls emit signed webhook events', () => {
  it('tool.called and tool.failed reach a subscribed webhook, signed, without arguments or secrets', async () => {
    const gw = await startTestGateway();
    const up = await startEchoUpstream();
    const hook = await receiver();
    const r = (name: string, args: unknown) => gw.app.callTool(name, args, 'internal');
    const created = await r('create_webhook', { url: hook.url, events: ['tool.called', 'tool.failed'] });
    if (!created.ok) throw new Error(created.error);
    const secret = String(created.value.secret);
    const spec = {
      openapi: '3.0.3',
      info: { title: 'E', version: '1' },
      paths: {
        '/echo/x': {
          get: {
            operationId: 'ok',
            parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }],
            responses: { '200': { description: 'ok' } },
          },
        },
        '/status/500': { get: { operationId: 'boom', responses: { '200': { description: 'ok' } } } },
      },
    };
    await r('create_customer', { id: 'acme', name: 'Acme' });
    await r('import_openapi', { slug: 'echo', spec, base_url: up.url });
    await r('set_auth_config', { connector_id: 'echo', scheme: 'bearer' });
    await r('create_connection', {
      customer_id: 'acme',
      connector_id: 'echo',
      credentials: { token: 'event-secret-token' },
    });
    const client = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );

    await client.callTool({ name: 'echo__ok', arguments: { q: 'private-argument-value' } });
    const called = await hook.next();
    expect(verify(secret, called.body, called.headers as Record<string, string>).ok).toBe(true);
    expect(JSON.parse(called.body)).toMatchObject({
      type: 'tool.called',
      data: { customer_id: 'acme', tool: 'echo__ok' },
    });

    await client.callTool({ name: 'echo__boom', arguments: {} });
    const failed = await hook.next();
    expect(JSON.parse(failed.body)).toMatchObject({ type: 'tool.failed', data: { tool: 'echo__boom' } });
    expect(JSON.parse(failed.body).data.error).toMatch(/HTTP 500/);

    for (const d of [called, failed]) {
      expect(d.body).not.toContain('private-argument-value');
      expect(d.body).not.toContain('event-secret-token');
    }
    await client.close();
    await gw.app.close();
    await hook.close();
  });
});
