// Issue 13 (governance), usage: get_usage counts the calls made through a real gateway — calls,
// errors (rate-limited ones included) and p50/p95 duration — per key, customer and tool, over the
// last hour, day or week. Runs on SQLite and PostgreSQL (vitest.config.ts BOTH_ENGINES).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}
interface Row {
  key_id?: string | null;
  customer_id?: string | null;
  tool?: string;
  calls: number;
  errors: number;
  p50_ms: number;
  p95_ms: number;
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
const clients: Client[] = [];
let k1 = '';
let k2 = '';

const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');
const adminCall = async (name: string, args: Record<string, unknown>) =>
  (await admin.callTool({ name, arguments: args })) as Result;
async function adminOk(name: string, args: Record<string, unknown>) {
  const result = await adminCall(name, args);
  expect(result.isError, text(result)).toBeFalsy();
  return result.structuredContent ?? {};
}
async function usage(window: string, by: string, plane?: string): Promise<Row[]> {
  return (await adminOk('get_usage', { window, by, ...(plane ? { plane } : {}) })).rows as Row[];
}
const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

beforeAll(async () => {
  gw = await startTestGateway();
  const echo = await startEchoUpstream();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  await adminOk('create_connector', { slug: 'echo', name: 'Echo', kind: 'http', base_url: echo.url });
  await adminOk('create_action', { connector_id: 'echo', name: 'ping', method: 'GET', path: '/echo/ping' });
  await adminOk('create_action', { connector_id: 'echo', name: 'boom', method: 'GET', path: '/status/500' });
  await adminOk('create_action', { connector_id: 'echo', name: 'slow', method: 'GET', path: '/delay/300' });
  for (const id of ['u1', 'u2']) {
    await adminOk('create_customer', { id, name: id });
    await adminOk('configure_customer_tools', { customer_id: id, mode: 'selected', connector_ids: ['echo'] });
  }
  const key1 = gw.mint('gateway');
  const key2 = gw.mint('gateway');
  k1 = key1.split('_')[1] ?? '';
  k2 = key2.split('_')[1] ?? '';
  const c1 = await connectClient(`${gw.app.url}/mcp/gateway?customer_id=u1`, bearer(key1));
  const c2 = await connectClient(`${gw.app.url}/mcp/gateway?customer_id=u2`, bearer(key2));
  clients.push(c1, c2);
  const call = async (c: Client, name: string) => (await c.callTool({ name, arguments: {} })) as Result;
  // u1 / key 1: 3 pings, 1 failure, and 1 refused by a rate limit of 4 calls per minute.
  await adminOk('set_rate_limits', { key_id: k1, calls_per_minute: 4 });
  for (let i = 0; i < 3; i++) expect((await call(c1, 'echo__ping')).isError).toBeFalsy();
  expect((await call(c1, 'echo__boom')).isError).toBe(true);
  expect(text(await call(c1, 'echo__ping'))).toContain('Rate limit');
  // u2 / key 2: 2 pings and a slow call (300 ms).
  for (let i = 0; i < 2; i++) expect((await call(c2, 'echo__ping')).isError).toBeFalsy();
  expect((await call(c2, 'echo__slow')).isError).toBeFalsy();
  // Older rows: 2 hours ago (in the day, not the hour) and 3 days ago (in the week only).
  gw.app.services.activity.record({
    time: ago(2 * 3_600_000),
    plane: 'gateway',
    entry_point: 'mcp',
    customer_id: 'u2',
    key_id: k2,
    tool: 'echo__ping',
    duration_ms: 5,
    outcome: 'ok',
  });
  gw.app.services.activity.record({
    time: ago(3 * DAY),
    plane: 'gateway',
    entry_point: 'mcp',
    customer_id: 'u2',
    key_id: k2,
    tool: 'echo__old',
    duration_ms: 7,
    outcome: 'error',
    error: 'old failure',
  });
  // And one from before the week: never counted.
  gw.app.services.activity.record({
    time: ago(8 * DAY),
    plane: 'gateway',
    entry_point: 'mcp',
    customer_id: 'u1',
    key_id: k1,
    tool: 'echo__ancient',
    duration_ms: 9,
    outcome: 'ok',
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await admin.close();
});

describe('get_usage', () => {
  it('by key: calls, errors (the rate-limited call included) and percentiles per key', async () => {
    const rows = await usage('hour', 'key');
    expect(rows).toHaveLength(2);
    const one = rows.find((r) => r.key_id === k1);
    const two = rows.find((r) => r.key_id === k2);
    expect(one).toMatchObject({ calls: 5, errors: 2 });
    expect(two).toMatchObject({ calls: 3, errors: 0 });
    // key 2: two quick pings and one 300 ms call — the median is a ping, the p95 the slow call.
    expect(two?.p95_ms).toBeGreaterThanOrEqual(290);
    expect(two?.p50_ms).toBeLessThan(290);
    expect(one?.p95_ms).toBeLessThan(290);
    expect(rows[0]?.key_id).toBe(k1); // most calls first
  });

  it('by customer and by tool, over the hour, the day and the week', async () => {
    expect(await usage('hour', 'customer')).toEqual([
      expect.objectContaining({ customer_id: 'u1', calls: 5, errors: 2 }),
      expect.objectContaining({ customer_id: 'u2', calls: 3, errors: 0 }),
    ]);
    expect(await usage('day', 'customer')).toEqual([
      expect.objectContaining({ customer_id: 'u1', calls: 5, errors: 2 }),
      expect.objectContaining({ customer_id: 'u2', calls: 4, errors: 0 }),
    ]);
    expect(await usage('week', 'customer')).toEqual([
      expect.objectContaining({ customer_id: 'u1', calls: 5, errors: 2 }),
      expect.objectContaining({ customer_id: 'u2', calls: 5, errors: 1 }),
    ]);
    const byTool = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.tool, [r.calls, r.errors]]));
    expect(byTool(await usage('hour', 'tool'))).toEqual({
      echo__ping: [6, 1],
      echo__boom: [1, 1],
      echo__slow: [1, 0],
    });
    expect(byTool(await usage('day', 'tool'))).toMatchObject({ echo__ping: [7, 1] });
    const week = byTool(await usage('week', 'tool'));
    expect(week).toMatchObject({ echo__ping: [7, 1], echo__old: [1, 1] });
    expect(week.echo__ancient).toBeUndefined();
    const slow = (await usage('hour', 'tool')).find((r) => r.tool === 'echo__slow');
    expect(slow?.p50_ms).toBeGreaterThanOrEqual(290);
  });

  it('counts the admin plane apart, and refuses bad input', async () => {
    const admins = await usage('hour', 'tool', 'admin');
    expect(admins.find((r) => r.tool === 'create_customer')?.calls).toBe(2);
    expect(admins.find((r) => r.tool === 'echo__ping')).toBeUndefined();
    for (const args of [
      { window: 'month', by: 'key' },
      { window: 'hour', by: 'connector' },
      { by: 'key' },
      { window: 'hour', by: 'key', extra: 1 },
    ]) {
      const result = await adminCall('get_usage', args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(text(result)).toMatch(/window|by|extra/);
    }
  });
});
