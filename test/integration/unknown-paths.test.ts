// Class 10 of the hardening issue: a path that is neither a UI route nor an endpoint answers a
// JSON 404 — never the web page (an MCP client doing OAuth discovery must not get HTML with 200)
// and never a file outside the renderer folder, whatever the encoding. With OAuth for MCP clients
// on, the discovery documents and the authorization server's endpoints answer JSON; the rest of
// the well-known and OAuth-looking paths stay JSON 404s.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PorticoApp, startPortico } from '../../src/main/core/app';
import { tempDir } from '../helpers/temp';

const PAGE = '<!doctype html><html><body><div id="root">PORTICO-UI</div></body></html>';
const SECRET = 'SECRET-OUTSIDE-THE-RENDERER';

let built: PorticoApp;
let unbuilt: PorticoApp;
let withOAuth: PorticoApp;

beforeAll(async () => {
  const top = tempDir();
  // Files next to the renderer folder: nothing may ever serve them.
  writeFileSync(join(top, 'package.json'), `{"name":"${SECRET}"}`);
  writeFileSync(join(top, 'secret.txt'), SECRET);
  const root = join(top, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), PAGE);
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log("ui");');
  writeFileSync(join(root, 'assets', 'index-abc123.css'), 'body{}');
  symlinkSync(join(top, 'secret.txt'), join(root, 'assets', 'link.js'));
  symlinkSync(top, join(root, 'up'));
  built = await startPortico({
    dataDir: tempDir(),
    port: 0,
    host: '127.0.0.1',
    log: () => {},
    staticDir: root,
  });
  unbuilt = await startPortico({ dataDir: tempDir(), port: 0, host: '127.0.0.1', log: () => {} });
  withOAuth = await startPortico({
    dataDir: tempDir(),
    port: 0,
    host: '127.0.0.1',
    log: () => {},
    staticDir: root,
    oauth: true,
  });
});
afterAll(async () => {
  await built?.close();
  await unbuilt?.close();
  await withOAuth?.close();
});

/** Sends the path exactly as written (fetch would normalize dot segments before sending). */
function raw(
  app: PorticoApp,
  method: string,
  path: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: app.port, method, path, headers: { host: `127.0.0.1:${app.port}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const WELL_KNOWN = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp/admin',
  '/.well-known/oauth-protected-resource/mcp/gateway',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-authorization-server',
  '/.well-known/oauth-authorization-server/mcp/admin',
  '/.well-known/oauth-authorization-server/mcp/gateway',
  '/.well-known/openid-configuration',
  '/.well-known/openid-configuration/mcp/admin',
  '/mcp/admin/.well-known/openid-configuration',
  '/.well-known/',
  '/.well-known/security.txt',
  '/.WELL-KNOWN/oauth-authorization-server',
  '/.well-known%2foauth-authorization-server',
];
const OAUTH_ENDPOINTS = ['/register', '/token', '/authorize', '/revoke', '/oauth/authorize', '/oauth/token'];
const RANDOM = [
  '/random',
  '/random/deeper/path',
  '/settings',
  '/customers/acme',
  '/index.htm',
  '/INDEX.HTML',
  '/index.html/',
  '/index.html;x',
  '/index.html%00.js',
  '/favicon.ico',
  '/robots.txt',
  '/x.js',
  '/x.json',
  '/style.css',
  '/assets',
  '/assets/',
  '/assets/missing.js',
  '/assets/index-abc123.js.map',
  '/%00',
  '/%ff',
  '/%',
  '/healthz/extra',
  '/apix',
];
const TRAVERSAL = [
  '/..%2fpackage.json',
  '/..%2f..%2fpackage.json',
  '/assets/..%2f..%2fpackage.json',
  '/assets/../../etc/passwd',
  '/assets/../../package.json',
  '/../package.json',
  '/%2e%2e/package.json',
  '/%2e%2e%2fpackage.json',
  '/%2E%2E/%2E%2E/etc/passwd',
  '/assets/%2e%2e/%2e%2e/secret.txt',
  '/..%5cpackage.json',
  '/..%5c..%5csecret.txt',
  '/assets/..%5c..%5csecret.txt',
  '/%252e%252e/package.json',
  '/..%c0%afpackage.json',
  '/assets/link.js',
  '/up/secret.txt',
  '/up/package.json',
  '//etc/passwd',
  '/./index.html/../../secret.txt',
];

describe('unknown paths answer a JSON 404, never the page', () => {
  for (const [name, paths] of [
    ['OAuth discovery (well-known)', WELL_KNOWN],
    ['OAuth endpoints', OAUTH_ENDPOINTS],
    ['random paths, with and without extensions', RANDOM],
    ['traversal, encoded or not, and links out of the folder', TRAVERSAL],
  ] as const) {
    it(name, async () => {
      for (const app of [built, unbuilt]) {
        for (const path of paths) {
          for (const method of ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']) {
            const res = await raw(app, method, path);
            const what = `${method} ${path} (${app === built ? 'UI built' : 'no UI'})`;
            // A malformed target may be a 400; anything else that isn't served is a 404.
            expect([404, 400], what).toContain(res.status);
            expect(res.type, what).toMatch(/^application\/json/);
            expect(res.body, what).not.toMatch(/<html|<!doctype|PORTICO-UI/i);
            expect(res.body, what).not.toContain(SECRET);
            expect(res.body, what).not.toContain('root:');
            if (method !== 'HEAD') expect(() => JSON.parse(res.body), what).not.toThrow();
          }
        }
      }
    });
  }

  it('the 404 names what Portico serves; OAuth discovery and registration carry the 401 message', async () => {
    const other = await raw(built, 'GET', '/random');
    expect(JSON.parse(other.body)).toEqual({
      error: 'not_found',
      message: expect.stringMatching(/\/mcp\/admin and \/mcp\/gateway\?customer_id=ID/),
    });
    // No key: what a 401 means and the 401's own instructions.
    const none = await raw(built, 'GET', '/.well-known/oauth-protected-resource/mcp/admin');
    const unauthorized = await raw(built, 'POST', '/mcp/admin');
    const message401 = JSON.parse(unauthorized.body).error.message as string;
    expect(message401).toMatch(/^Unauthorized: no API key\. Pass a Portico API key as/);
    const help = message401.slice('Unauthorized: no API key. '.length);
    expect(JSON.parse(none.body).message).toMatch(
      /Portico does not use OAuth for MCP clients.*A 401 from \/mcp\/admin or \/mcp\/gateway means the API key was missing, unknown or revoked/,
    );
    expect(JSON.parse(none.body).message).toContain(help);
    // Never the word mcp-remote takes for "sign in with OAuth and wait for a browser".
    expect(none.body).not.toContain('Unauthorized');
    // A wrong key (as mcp-remote sends its headers to /register too): the 401 says why.
    const wrong = 'ptc_AAAAAAAA_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const registered = await fetch(`${built.url}/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${wrong}`, 'content-type': 'application/json' },
      body: '{"redirect_uris":["http://localhost:1/cb"]}',
    });
    expect(registered.status).toBe(404);
    const text = await registered.text();
    expect(JSON.parse(text).message).toMatch(
      /Portico refused the key this request carries: unknown API key\. Pass a Portico API key as/,
    );
    expect(text).not.toContain('Unauthorized');
    expect(text).not.toContain(wrong);
  });
});

describe('with OAuth for MCP clients on', () => {
  const SERVED: Record<string, { method: string; status: number }> = {
    '/.well-known/oauth-protected-resource': { method: 'GET', status: 200 },
    '/.well-known/oauth-protected-resource/mcp/admin': { method: 'GET', status: 200 },
    '/.well-known/oauth-protected-resource/mcp/gateway': { method: 'GET', status: 200 },
    '/.well-known/oauth-authorization-server': { method: 'GET', status: 200 },
    // Without parameters: the RFC's invalid_request, as JSON.
    '/oauth/authorize': { method: 'GET', status: 400 },
    '/oauth/token': { method: 'POST', status: 400 },
    '/oauth/register': { method: 'POST', status: 400 },
  };

  it('discovery and the authorization server answer JSON; every other such path is still a JSON 404', async () => {
    for (const path of [...WELL_KNOWN, ...OAUTH_ENDPOINTS, '/oauth/register']) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        const res = await raw(withOAuth, method, path);
        const what = `${method} ${path}`;
        const served = SERVED[path];
        const expected = served ? (served.method === method ? served.status : 405) : 404;
        expect([expected, 400], what).toContain(res.status);
        if (expected !== 400 && res.status === 400) expect(path, what).toMatch(/%/);
        expect(res.type, what).toMatch(/^application\/json/);
        expect(res.body, what).not.toMatch(/<html|<!doctype|PORTICO-UI/i);
        expect(() => JSON.parse(res.body), what).not.toThrow();
      }
    }
    const metadata = JSON.parse(
      (await raw(withOAuth, 'GET', '/.well-known/oauth-authorization-server')).body,
    );
    expect(metadata.issuer).toBe(`http://127.0.0.1:${withOAuth.port}`);
    const missing = await raw(withOAuth, 'GET', '/.well-known/openid-configuration');
    expect(JSON.parse(missing.body).message).toMatch(
      /OAuth endpoints are listed at .*oauth-authorization-server/,
    );
  });
});

describe('the page and its files are still served', () => {
  it('/ and /index.html (with a query) are the page; built assets are served with their types', async () => {
    for (const path of ['/', '/index.html', '/?from=tray', '/index.html?x=1']) {
      const res = await raw(built, 'GET', path);
      expect(res.status, path).toBe(200);
      expect(res.type).toMatch(/^text\/html/);
      expect(res.body).toBe(PAGE);
    }
    const js = await raw(built, 'GET', '/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.type).toMatch(/^text\/javascript/);
    expect(js.body).toBe('console.log("ui");');
    expect((await raw(built, 'GET', '/assets/index-abc123.css')).type).toMatch(/^text\/css/);
    expect((await raw(built, 'HEAD', '/')).status).toBe(200);
  });

  it('the placeholder page when the UI is not built, at / only', async () => {
    const res = await raw(unbuilt, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/The web UI has not been built/);
  });

  it('other methods on the page are 405 in JSON', async () => {
    const res = await raw(built, 'POST', '/');
    expect(res.status).toBe(405);
    expect(res.type).toMatch(/^application\/json/);
  });

  it('the endpoints keep their own answers', async () => {
    expect((await raw(built, 'GET', '/healthz')).status).toBe(200);
    const mcp = await raw(built, 'POST', '/mcp/admin');
    expect(mcp.status).toBe(401);
    expect(mcp.body).toMatch(/Authorization: Bearer/);
    expect((await raw(built, 'GET', '/api/tools')).status).toBe(401);
  });
});
