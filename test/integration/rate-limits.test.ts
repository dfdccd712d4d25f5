// Issue 13 (governance), rate limits: set_rate_limits per gateway key and per customer, through a
// real gateway. A burst beyond calls_per_minute gets the retry `isError` result; a client that
// keeps calling gets HTTP 429 with Retry-After before JSON-RPC dispatch; a concurrency limit holds
// with a slow upstream; other keys and customers are unaffected; null clears; bad input is refused.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, initializeBody, rawPost, startTestGateway } from '../helpers/gateway';

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
const clients: Client[] = [];

const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');
const adminCall = async (name: string, args: Record<string, unknown>) =>
  (await admin.callTool({ name, arguments: args })) as Result;
async function adminOk(name: string, args: Record<string, unknown>) {
  const result = await adminCall(name, args);
  expect(result.isError, text(result)).toBeFalsy();
  return result.structuredContent ?? {};
}
const keyId = (key: string) => key.split('_')[1] ?? '';

async function gatewayClient(customerId: string, key = gw.mint('gateway')) {
  const client = await connectClient(`${gw.app.url}/mcp/gateway?customer_id=${customerId}`, bearer(key));
  clients.push(client);
  return client;
}
const call = async (client: Client, name = 'echo__ping') =>
  (await client.callTool({ name, arguments: {} })) as Result;

beforeAll(async () => {
  gw = await startTestGateway();
  const echo = await startEchoUpstream();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  await adminOk('create_connector', { slug: 'echo', name: 'Echo', kind: 'http', base_url: echo.url });
  await adminOk('create_action', { connector_id: 'echo', name: 'ping', method: 'GET', path: '/echo/ping' });
  await adminOk('create_action', { connector_id: 'echo', name: 'slow', method: 'GET', path: '/delay/400' });
  for (const id of ['acme', 'globex', 'initech']) {
    await adminOk('create_customer', { id, name: id });
    await adminOk('configure_customer_tools', { customer_id: id, mode: 'selected', connector_ids: ['echo'] });
  }
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await admin.close();
});

describe('set_rate_limits', () => {
  it('a burst beyond calls_per_minute of a key gets the retry message; other keys are unaffected', async () => {
    const key = gw.mint('gateway');
    const limited = await gatewayClient('acme', key);
    const other = await gatewayClient('acme');
    const set = await adminOk('set_rate_limits', { key_id: keyId(key), calls_per_minute: 3 });
    expect(set).toMatchObject({ key_id: keyId(key), limits: { calls_per_minute: 3, concurrent: null } });

    const results = await Promise.all(Array.from({ length: 5 }, () => call(limited)));
    expect(results.filter((r) => !r.isError)).toHaveLength(3);
    const refused = results.filter((r) => r.isError);
    expect(refused).toHaveLength(2);
    expect(text(refused[0] as Result)).toMatch(
      new RegExp(`^Rate limit: 3 calls per minute for key ${keyId(key)}\\. Retry in \\d+ s\\.$`),
    );
    // The same customer through another key: untouched.
    for (let i = 0; i < 6; i++) expect((await call(other)).isError, 'other key').toBeFalsy();

    // Shown where keys are listed.
    const keys = (await adminOk('list_api_keys', {})).keys as { id: string; limits?: unknown }[];
    expect(keys.find((k) => k.id === keyId(key))?.limits).toEqual({ calls_per_minute: 3, concurrent: null });
    expect(keys.find((k) => k.id !== keyId(key))?.limits).toBeUndefined();

    // Cleared with null: calls go through again at once.
    const cleared = await adminOk('set_rate_limits', { key_id: keyId(key), calls_per_minute: null });
    expect(cleared.limits).toEqual({ calls_per_minute: null, concurrent: null });
    expect((await call(limited)).isError, 'after clearing').toBeFalsy();
    const after = (await adminOk('list_api_keys', {})).keys as { id: string; limits?: unknown }[];
    expect(after.find((k) => k.id === keyId(key))?.limits).toBeUndefined();
  });

  it('a customer limit spans all its keys; other customers are unaffected', async () => {
    await adminOk('set_rate_limits', { customer_id: 'globex', calls_per_minute: 2 });
    const a = await gatewayClient('globex');
    const b = await gatewayClient('globex');
    expect((await call(a)).isError).toBeFalsy();
    expect((await call(b)).isError).toBeFalsy();
    const refused = await call(a);
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^Rate limit: 2 calls per minute for customer globex\. Retry in \d+ s\.$/);
    expect((await call(b)).isError).toBe(true);
    const elsewhere = await gatewayClient('initech');
    for (let i = 0; i < 4; i++) expect((await call(elsewhere)).isError, 'initech').toBeFalsy();
    expect(await adminOk('get_customer', { customer_id: 'globex' })).toMatchObject({
      limits: { calls_per_minute: 2, concurrent: null },
    });
    expect((await adminOk('get_customer', { customer_id: 'initech' })).limits).toBeUndefined();
    const listed = (await adminOk('list_customers', {})).customers as { id: string; limits?: unknown }[];
    expect(listed.find((c) => c.id === 'globex')?.limits).toEqual({ calls_per_minute: 2, concurrent: null });
    await adminOk('set_rate_limits', { customer_id: 'globex', calls_per_minute: null });
    expect((await call(a)).isError, 'after clearing').toBeFalsy();
  });

  it('a concurrency limit refuses calls beyond it while a slow upstream holds the slots, and frees them after', async () => {
    const key = gw.mint('gateway');
    const client = await gatewayClient('initech', key);
    await adminOk('set_rate_limits', { key_id: keyId(key), concurrent: 2 });
    const results = await Promise.all(Array.from({ length: 4 }, () => call(client, 'echo__slow')));
    expect(results.filter((r) => !r.isError)).toHaveLength(2);
    const refused = results.filter((r) => r.isError);
    expect(refused).toHaveLength(2);
    expect(text(refused[0] as Result)).toContain(`Rate limit: 2 concurrent calls for key ${keyId(key)}.`);
    // The slots were released when the calls finished (also the refused ones took none).
    const again = await Promise.all([call(client, 'echo__slow'), call(client, 'echo__slow')]);
    expect(again.every((r) => !r.isError)).toBe(true);
  });

  it('a client that ignores the retry gets 429 with Retry-After before dispatch; others do not', async () => {
    const key = gw.mint('gateway');
    const url = `${gw.app.url}/mcp/gateway?customer_id=acme`;
    const init = await rawPost(url, initializeBody, bearer(key));
    expect(init.status, init.text).toBe(200);
    const headers = {
      ...bearer(key),
      'mcp-session-id': init.headers.get('mcp-session-id') ?? '',
      'mcp-protocol-version': '2025-06-18',
    };
    await rawPost(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), headers);
    await adminOk('set_rate_limits', { key_id: keyId(key), calls_per_minute: 2 });
    const toolsCall = (id: number) =>
      rawPost(
        url,
        JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'echo__ping', arguments: {} },
        }),
        headers,
      );
    const statuses: number[] = [];
    const bodies: string[] = [];
    for (let id = 1; id <= 5; id++) {
      const res = await toolsCall(id);
      statuses.push(res.status);
      bodies.push(res.text);
    }
    // 2 admitted, 2 told to retry (isError results), then refused before dispatch.
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(bodies[2]).toContain('Rate limit: 2 calls per minute');
    expect(bodies[2]).toContain('"isError":true');
    const refused = await toolsCall(6);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(refused.json?.error?.message).toMatch(
      /rate limit of 2 calls per minute for key \w+\. Retry in \d+ s\./,
    );
    expect(JSON.parse(refused.text).id).toBe(6);
    // Other requests of the same session still reach the server (only tools/call is refused).
    const list = await rawPost(url, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }), headers);
    expect(list.status).toBe(200);
    // Another key of the same customer is unaffected.
    const other = await gatewayClient('acme');
    expect((await call(other)).isError).toBeFalsy();
  });

  it('refuses bad input with a message that says what to do', async () => {
    const key = gw.mint('gateway');
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ calls_per_minute: 5 }, /exactly one of `key_id`.*or `customer_id`/],
      [{ key_id: keyId(key), customer_id: 'acme', calls_per_minute: 5 }, /exactly one of/],
      [{ key_id: keyId(key) }, /Nothing to set/],
      [{ key_id: 'nope1234', calls_per_minute: 5 }, /No API key with id "nope1234"/],
      [{ customer_id: 'nobody', calls_per_minute: 5 }, /No customer with id "nobody"/],
      [{ key_id: keyId(gw.adminKey), calls_per_minute: 5 }, /scope "admin".*gateway/],
      [{ customer_id: 'acme', calls_per_minute: 0 }, /calls_per_minute/],
      [{ customer_id: 'acme', concurrent: 1.5 }, /concurrent/],
      [{ customer_id: 'acme', calls_per_minute: 'ten' }, /calls_per_minute/],
    ];
    for (const [args, message] of bad) {
      const result = await adminCall('set_rate_limits', args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(text(result), JSON.stringify(args)).toMatch(message);
    }
    expect((await adminOk('get_customer', { customer_id: 'acme' })).limits).toBeUndefined();
  });
});
