// The data plane answers its hottest requests (single tools/list and tools/call from a client that
// accepts JSON) without the SDK transport. For every kind of request it takes — results, tool
// errors, validation errors, unknown tools, search mode — its answer is the very answer the SDK
// path gives.
import { describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { everythingServerCommand } from '../helpers/everything';
import { bearer, initializeBody, startTestGateway } from '../helpers/gateway';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** The JSON-RPC message in a response, whether it came as JSON or as one SSE event. */
async function message(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) return JSON.parse(text);
  const data = text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => l.slice(6));
  if (data.length !== 1) throw new Error(`expected one SSE event, got:\n${text}`);
  return JSON.parse(data[0] as string);
}

describe('the data plane fast path', () => {
  it('answers exactly as the SDK path does, for every request it takes', async () => {
    const gw = await startTestGateway();
    const upstream = await startEchoUpstream();
    const admin = async (name: string, args: unknown) => {
      const r = await gw.app.callTool(name, args, 'internal');
      if (!r.ok) throw new Error(`${name}: ${r.error}`);
      return r.value;
    };
    await admin('create_connector', { slug: 'echo', name: 'Echo', kind: 'http', base_url: upstream.url });
    await admin('create_action', { connector_id: 'echo', name: 'list', method: 'GET', path: '/list' });
    await admin('create_action', { connector_id: 'echo', name: 'text', method: 'GET', path: '/text' });
    await admin('create_action', {
      connector_id: 'echo',
      name: 'fail',
      method: 'GET',
      path: '/status/{code}',
      params: [{ name: 'code', in: 'path', required: true }],
    });
    for (const [id, toolMode] of [
      ['direct-co', 'direct'],
      ['search-co', 'search'],
    ] as const) {
      await admin('create_customer', { id, name: id });
      await admin('create_connection', { customer_id: id, connector_id: 'echo', credentials: {} });
      await admin('configure_customer_tools', { customer_id: id, mode: 'all', tool_mode: toolMode });
    }
    // An MCP connector's resources, for resources/read.
    await admin('create_connector', {
      slug: 'ev',
      name: 'Everything',
      kind: 'mcp',
      transport: 'stdio',
      ...everythingServerCommand(),
    });
    await admin('create_connection', { customer_id: 'direct-co', connector_id: 'ev', credentials: {} });
    const key = gw.mint('gateway');
    const open = async (customer: string) => {
      const url = `${gw.app.url}/mcp/gateway?customer_id=${customer}`;
      const init = await fetch(url, {
        method: 'POST',
        headers: { ...HEADERS, ...bearer(key) },
        body: initializeBody,
      });
      const session = init.headers.get('mcp-session-id') as string;
      await init.text();
      const headers = {
        ...HEADERS,
        ...bearer(key),
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-06-18',
      };
      await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      let id = 100;
      /** The same request twice: as the fast path takes it, and with `_meta` set (which only the SDK path takes). */
      return async (method: string, params: Record<string, unknown>) => {
        const send = async (p: Record<string, unknown>) =>
          fetch(url, {
            method: 'POST',
            headers,
            body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: p }),
          });
        const fastRes = await send(params);
        const fast = await message(fastRes);
        const slowRes = await send({ ...params, _meta: {} });
        const slow = await message(slowRes);
        expect(fastRes.headers.get('content-type'), 'the fast path answered').toMatch(/^application\/json/);
        expect(slowRes.headers.get('content-type'), 'the SDK path answered').toMatch(/^text\/event-stream/);
        delete fast.id;
        delete slow.id;
        return { fast, slow };
      };
    };

    const direct = await open('direct-co');
    const cases: [string, Record<string, unknown>][] = [
      ['tools/list', {}],
      ['tools/call', { name: 'echo__list', arguments: {} }],
      ['tools/call', { name: 'echo__text' }],
      ['tools/call', { name: 'echo__fail', arguments: { code: '503' } }],
      ['tools/call', { name: 'echo__fail', arguments: {} }],
      ['tools/call', { name: 'echo__fail', arguments: { code: 7 } }],
      ['tools/call', { name: 'echo__nope', arguments: {} }],
      ['tools/call', { name: 'search_tools', arguments: { query: 'list' } }],
      ['resources/read', { uri: 'demo://resource/static/document/features.md' }],
      ['resources/read', { uri: 'demo://resource/static/document/nothing.md' }],
    ];
    for (const [method, params] of cases) {
      const { fast, slow } = await direct(method, params);
      expect(fast, `${method} ${JSON.stringify(params)}`).toEqual(slow);
    }
    const read = await direct('resources/read', { uri: 'demo://resource/static/document/features.md' });
    expect(read.fast).toMatchObject({ result: { contents: [{ text: expect.stringContaining('#') }] } });
    const missing = await direct('resources/read', { uri: 'demo://resource/static/document/nothing.md' });
    expect(missing.fast).toMatchObject({ error: { code: -32002, data: { uri: expect.any(String) } } });
    const search = await open('search-co');
    for (const [method, params] of [
      ['tools/list', {}],
      ['tools/call', { name: 'search_tools', arguments: { query: 'text' } }],
      ['tools/call', { name: 'search_tools', arguments: {} }],
      ['tools/call', { name: 'describe_tool', arguments: { name: 'echo__list' } }],
      ['tools/call', { name: 'describe_tool', arguments: { name: 'missing' } }],
      ['tools/call', { name: 'call_tool', arguments: { name: 'echo__list', arguments: {} } }],
      ['tools/call', { name: 'call_tool', arguments: { name: 'echo__fail', arguments: { code: '404' } } }],
      ['tools/call', { name: 'call_tool', arguments: { name: 'echo__list', arguments: [] } }],
    ] as [string, Record<string, unknown>][]) {
      const { fast, slow } = await search(method, params);
      expect(fast, `${method} ${JSON.stringify(params)}`).toEqual(slow);
    }
  });
});
