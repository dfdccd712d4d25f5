// Serving beyond loopback (issue 15): binding a non-loopback address needs --public-url; the Host
// and Origin allow-lists then hold (the DNS-rebinding defence for a proxy or a LAN); links and
// client configs use the public URL; /readyz checks the database. Tests bind 127.0.0.1 only — a
// reverse proxy on the same machine sends the public Host, which is what is checked here.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PorticoApp, startPortico } from '../../src/main/core/app';
import { portico } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

const PUBLIC = 'https://mcp.example.com';

/** A GET with exactly these headers (Host included), as a proxy or a hostile page would send. */
function get(app: PorticoApp, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: app.port, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('binding beyond loopback', () => {
  it('is refused without --public-url, with what to pass; nothing starts', () => {
    const dir = tempDir();
    const run = portico(['--data-dir', dir, 'serve', '--host', '0.0.0.0', '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Binding 0\.0\.0\.0 \(beyond loopback\) needs --public-url URL/);
    expect(run.stdout).not.toMatch(/listening/);
    const bad = portico(['--data-dir', dir, 'serve', '--public-url', 'mcp.example.com', '--port', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--public-url "mcp\.example\.com" is not a URL/);
    const badHost = portico([
      '--data-dir',
      dir,
      'serve',
      '--allowed-host',
      'https://x.example.com',
      '--port',
      '0',
    ]);
    expect(badHost.code).toBe(2);
    expect(badHost.stderr).toMatch(/--allowed-host "https:\/\/x\.example\.com" is not a host name/);
  });
});

describe('behind a proxy at a public URL', () => {
  let app: PorticoApp;
  beforeAll(async () => {
    app = await startPortico({
      dataDir: tempDir(),
      host: '127.0.0.1',
      port: 0,
      publicUrl: PUBLIC,
      allowedOrigins: ['https://admin.example.com'],
      log: () => {},
    });
  });
  afterAll(() => app.close());

  it('takes the public Host and loopback, and refuses any other', async () => {
    expect((await get(app, '/healthz', { host: 'mcp.example.com' })).status).toBe(200);
    expect((await get(app, '/healthz', { host: `127.0.0.1:${app.port}` })).status).toBe(200);
    const evil = await get(app, '/healthz', { host: 'evil.example.net' });
    expect(evil.status).toBe(403);
    expect(JSON.stringify(evil.body)).toMatch(
      /Host \\"evil\.example\.net\\" is not one Portico serves.*mcp\.example\.com/,
    );
  });

  it('takes browser requests from the public and the allowed origins only', async () => {
    const from = async (origin: string) =>
      (await get(app, '/healthz', { host: 'mcp.example.com', origin })).status;
    expect(await from(PUBLIC)).toBe(200);
    expect(await from('https://admin.example.com')).toBe(200);
    expect(await from('https://evil.example.net')).toBe(403);
    expect(await from('http://mcp.example.com')).toBe(403);
  });

  it('gives the public URL in links and client configs', async () => {
    expect(app.loginLink().startsWith(`${PUBLIC}/`)).toBe(true);
    const call = async (name: string, args: unknown) => {
      const result = await app.callTool(name, args, 'internal');
      if (!result.ok) throw new Error(result.error);
      return result.value as Record<string, unknown>;
    };
    await call('create_customer', { id: 'acme', name: 'Acme' });
    await call('create_connector', {
      slug: 'api',
      name: 'API',
      kind: 'http',
      base_url: 'https://api.example.com',
    });
    await call('set_auth_config', { connector_id: 'api', scheme: 'bearer' });
    const link = await call('get_connect_url', { customer_id: 'acme', connector_id: 'api' });
    expect(String(link.url).startsWith(`${PUBLIC}/`)).toBe(true);
    const config = await call('get_client_config', {
      client: 'cursor',
      plane: 'gateway',
      customer_id: 'acme',
    });
    expect(JSON.stringify(config)).toContain(`${PUBLIC}/mcp/gateway?customer_id=acme`);
  });

  it('/readyz answers ready while the database answers, 503 with the reason when it does not', async () => {
    const ready = await get(app, '/readyz', { host: 'mcp.example.com' });
    expect(ready).toEqual({ status: 200, body: { ready: true, database: 'sqlite' } });
  });
});

describe('readiness without a database', () => {
  it('is 503 with the reason once the database is gone', async () => {
    const app = await startPortico({ dataDir: tempDir(), host: '127.0.0.1', port: 0, log: () => {} });
    try {
      await app.store.database?.close();
      const gone = await get(app, '/readyz', { host: `127.0.0.1:${app.port}` });
      expect(gone.status).toBe(503);
      expect(String(gone.body.reason)).toMatch(/^the database does not answer/);
    } finally {
      await app.close().catch(() => {});
    }
  });
});
