// Every upstream answer is scrubbed of the call's own secrets, in every encoding an API might echo
// them in, before it reaches the agent — and only the call's own: another customer's secret is
// not known to this call (and never sent to this upstream).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

const SECRET = 'sk_live_"quoted"/+=\\ é-0123456789';

/** An API that reflects the credential it got, raw and encoded, in JSON and in an error page. */
async function reflectingApi() {
  const server = createServer((req, res) => {
    const key = String(req.headers['x-api-key'] ?? '');
    const forms = {
      raw: key,
      base64: Buffer.from(key).toString('base64'),
      base64url: Buffer.from(key).toString('base64url'),
      url: encodeURIComponent(key),
      hex: Buffer.from(key).toString('hex'),
      sentence: `your key is ${key} — keep it safe`,
    };
    if (req.url?.startsWith('/fail')) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`denied for key=${encodeURIComponent(key)}`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(forms));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('scrubbing upstream answers', () => {
  it("masks the call's own secret in every encoding, in results and in upstream errors", async () => {
    const gw = await startTestGateway();
    const api = await reflectingApi();
    afterAll(() => api.close());
    const call = async (name: string, args: unknown) => {
      const r = await gw.app.callTool(name, args, 'internal');
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
    await call('create_customer', { id: 'acme', name: 'Acme' });
    await call('import_openapi', {
      slug: 'mirror',
      base_url: api.url,
      spec: {
        openapi: '3.0.3',
        info: { title: 'Mirror', version: '1' },
        components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
        security: [{ key: [] }],
        paths: {
          '/echo': { get: { operationId: 'echo', responses: { 200: { description: 'ok' } } } },
          '/fail': { get: { operationId: 'fail', responses: { 200: { description: 'ok' } } } },
        },
      },
    });
    await call('create_connection', {
      customer_id: 'acme',
      connector_id: 'mirror',
      credentials: { api_key: SECRET },
    });
    const client = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    const echoed = (await client.callTool({ name: 'mirror__echo', arguments: {} })) as {
      content: { text: string }[];
      structuredContent?: Record<string, string>;
    };
    const everything = JSON.stringify(echoed);
    for (const form of [
      SECRET,
      Buffer.from(SECRET).toString('base64'),
      Buffer.from(SECRET).toString('base64url'),
      encodeURIComponent(SECRET),
      Buffer.from(SECRET).toString('hex'),
      JSON.stringify(SECRET).slice(1, -1),
    ])
      expect(everything, form).not.toContain(form);
    expect(echoed.structuredContent?.sentence).toBe('your key is *** — keep it safe');
    const failed = (await client.callTool({ name: 'mirror__fail', arguments: {} })) as {
      isError?: boolean;
      content: { text: string }[];
    };
    expect(failed.isError).toBe(true);
    expect(failed.content[0]?.text).toMatch(/HTTP 500/);
    expect(failed.content[0]?.text).toContain('denied for key=***');
    // test_action runs the same pipeline, so the same scrubbing.
    const tested = await call('test_action', { customer_id: 'acme', tool: 'mirror__echo', arguments: {} });
    expect(JSON.stringify(tested)).not.toContain(SECRET);
    expect(JSON.stringify(tested)).not.toContain(encodeURIComponent(SECRET));
    await client.close();
  });
});
