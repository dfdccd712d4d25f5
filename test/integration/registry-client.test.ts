// The shared HTTP registry client (what the web UI uses) against a real Portico server in this
// process, and against real sockets that misbehave: every failure is an `{ok: false}` that says
// what went wrong, never a throw.
import { createServer, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { httpRegistryClient, type RegistryClient } from '../../src/shared/registry';
import { startTestGateway } from '../helpers/gateway';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let admin: RegistryClient;

beforeAll(async () => {
  gateway = await startTestGateway();
  admin = httpRegistryClient({
    baseUrl: `${gateway.app.url}/`,
    headers: { authorization: `Bearer ${gateway.adminKey}` },
  });
});
afterAll(() => gateway?.app.close());

/** A loopback HTTP server answering every request with `answer`; its URL, and how to close it. */
async function stubServer(answer: (res: ServerResponse) => void) {
  const server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('httpRegistryClient against portico serve', () => {
  it('makes a typed call: the server applies defaults and the answer is the tool’s output', async () => {
    const created = await admin.call('create_customer', { id: 'acme', name: 'Acme Inc.' });
    expect(created).toEqual({
      ok: true,
      value: expect.objectContaining({ id: 'acme', name: 'Acme Inc.', metadata: {}, connection_count: 0 }),
    });
    if (!created.ok) throw new Error(created.error);
    expectTypeOf(created.value.exposure.tool_mode).toEqualTypeOf<'direct' | 'search' | 'auto'>();
    expect(created.value.exposure).toEqual({
      mode: 'all',
      connector_ids: [],
      actions: {},
      tool_mode: 'auto',
      naming: 'prefixed',
    });

    const listed = await admin.call('list_customers', {});
    expect(listed.ok && listed.value.customers.map((c) => c.id)).toEqual(['acme']);
    // The call went through /api as the admin key, and is in the activity log as such.
    const activity = await admin.call('list_activity', { tool: 'create_customer' });
    expect(activity.ok && activity.value.entries[0]).toMatchObject({ entry_point: 'api', outcome: 'ok' });
  });

  it('returns an invalid input as {ok: false} with the registry’s explanation', async () => {
    const result = await admin.call('create_customer', { id: 'not an id!', name: '' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/^Invalid arguments for create_customer: `id`: .*; `name`: /);
    // A caller without types can still send anything; the server is the judge.
    const untyped: { call(name: string, input: unknown): Promise<unknown> } = admin;
    expect(await untyped.call('create_customer', ['acme'])).toMatchObject({ ok: false });
    expect(await untyped.call('no_such_tool', {})).toEqual({
      ok: false,
      error: expect.stringMatching(/^Unknown admin tool "no_such_tool"/),
    });
  });

  it('says why a call without an admin key is refused', async () => {
    const anonymous = await httpRegistryClient({ baseUrl: gateway.app.url }).call('list_customers', {});
    expect(anonymous).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^Not allowed to call list_customers \(HTTP 401\): Unauthorized: no API key/,
      ),
    });
    const gatewayKey = gateway.mint('gateway');
    const wrongScope = await httpRegistryClient({
      baseUrl: gateway.app.url,
      headers: { authorization: `Bearer ${gatewayKey}` },
    }).call('list_customers', {});
    expect(wrongScope).toEqual({ ok: false, error: 'The UI API needs an admin key.' });
  });

  it('uses the fetch it is given, sending the headers and a JSON body', async () => {
    const seen: { url: string; method?: string; headers: Headers; body: unknown }[] = [];
    const client = httpRegistryClient({
      baseUrl: gateway.app.url,
      headers: { 'x-api-key': gateway.adminKey },
      fetch: (input, init) => {
        seen.push({
          url: String(input),
          method: init?.method,
          headers: new Headers(init?.headers),
          body: init?.body,
        });
        return fetch(input, init);
      },
    });
    const result = await client.call('get_customer', { customer_id: 'acme' });
    expect(result.ok && result.value.name).toBe('Acme Inc.');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe(`${gateway.app.url}/api/tools/get_customer`);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.headers.get('content-type')).toBe('application/json');
    expect(seen[0]?.headers.get('x-api-key')).toBe(gateway.adminKey);
    expect(seen[0]?.body).toBe('{"customer_id":"acme"}');
  });
});

describe('httpRegistryClient when the other end is not Portico', () => {
  it('turns a refused connection into a clear error', async () => {
    const { url, close } = await stubServer((res) => res.end());
    await close();
    const result = await httpRegistryClient({ baseUrl: url }).call('list_customers', {});
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        new RegExp(`^Could not reach Portico at ${url} to call list_customers: fetch failed: .*ECONNREFUSED`),
      ),
    });
  });

  it('turns an answer that is not JSON into a clear error', async () => {
    const { url, close } = await stubServer((res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    });
    const result = await httpRegistryClient({ baseUrl: url }).call('list_customers', {});
    await close();
    expect(result).toEqual({
      ok: false,
      error: `Portico at ${url} answered list_customers with HTTP 502 and a body that is not JSON: <html><body>Bad gateway</body></html>. Is that address a Portico server?`,
    });
  });

  it('refuses JSON that is not a result, or a value that is not the tool’s output', async () => {
    let body = '{"hello":"world"}';
    const { url, close } = await stubServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    const client = httpRegistryClient({ baseUrl: url });
    expect(await client.call('list_customers', {})).toEqual({
      ok: false,
      error: `Portico at ${url} answered list_customers with HTTP 200 and JSON that is not a result.`,
    });
    body = '{"ok":true,"value":{"customers":"none"}}';
    expect(await client.call('list_customers', {})).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^list_customers answered with a result that does not match its output schema/,
      ),
    });
    await close();
  });

  it('gives up on a server that does not answer, after timeoutMs', async () => {
    const { url, close } = await stubServer(() => {});
    const result = await httpRegistryClient({ baseUrl: url, timeoutMs: 200 }).call('list_customers', {});
    await close();
    expect(result).toEqual({
      ok: false,
      error: `Could not reach Portico at ${url} to call list_customers: it did not answer in time.`,
    });
  });
});
