// The web UI's doors (CONTRACT §2): one-time sign-in links, the HttpOnly SameSite=Strict session
// cookie, the CSRF token on every state-changing call made with it, no other origin, sign-out,
// keys still accepted from scripts, and the server-sent event stream behind the same sign-in.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearer, startTestGateway } from '../helpers/gateway';
import { httpCall as call } from '../helpers/http-call';

const tokenOf = (link: string) => new URL(link.replace('#/login?', '?')).searchParams.get('token') ?? '';

async function signIn(base: string, link: string) {
  const answer = await call(base, 'POST', '/api/session', {}, { login_token: tokenOf(link) });
  const setCookie = String(answer.headers['set-cookie'] ?? '');
  const cookie = setCookie.split(';')[0] ?? '';
  return { answer, setCookie, cookie, csrf: String(answer.body.value?.csrf ?? '') };
}

describe('web UI sessions', () => {
  it('a sign-in link works once and gives an HttpOnly, SameSite=Strict cookie named for the port', async () => {
    const { app } = await startTestGateway();
    const link = app.loginLink();
    expect(link).toMatch(new RegExp(`^${app.url}/#/login\\?token=[A-Za-z0-9_-]{20,}$`));
    const first = await signIn(app.url, link);
    expect(first.answer.status).toBe(200);
    expect(first.setCookie).toMatch(new RegExp(`^portico_session_${app.port}=[A-Za-z0-9_-]{40,};`));
    expect(first.setCookie).toMatch(/; HttpOnly/);
    expect(first.setCookie).toMatch(/; SameSite=Strict/);
    expect(first.csrf.length).toBeGreaterThan(20);
    const again = await signIn(app.url, link);
    expect(again.answer.status).toBe(401);
    expect(again.answer.body.error).toMatch(/already used or has expired.*portico ui/);
    const forged = await call(app.url, 'POST', '/api/session', {}, { login_token: 'x'.repeat(32) });
    expect(forged.status).toBe(401);
    const current = await call(app.url, 'GET', '/api/session', { cookie: first.cookie });
    expect(current.body.value).toEqual({ signed_in: true, csrf: first.csrf });
    expect((await call(app.url, 'GET', '/api/session')).body.value).toEqual({ signed_in: false });
  });

  it('state-changing calls with the cookie need the CSRF token; reads do not; other origins never', async () => {
    const { app } = await startTestGateway();
    const { cookie, csrf } = await signIn(app.url, app.loginLink());
    const noToken = await call(
      app.url,
      'POST',
      '/api/tools/create_customer',
      { cookie },
      { id: 'acme', name: 'Acme' },
    );
    expect(noToken.status).toBe(403);
    expect(noToken.body.error).toMatch(/CSRF/);
    const wrongToken = await call(
      app.url,
      'POST',
      '/api/tools/create_customer',
      { cookie, 'x-csrf-token': `${csrf}x` },
      { id: 'acme', name: 'Acme' },
    );
    expect(wrongToken.status).toBe(403);
    expect(app.store.data.customers.acme).toBeUndefined();
    const ok = await call(
      app.url,
      'POST',
      '/api/tools/create_customer',
      { cookie, 'x-csrf-token': csrf },
      { id: 'acme', name: 'Acme' },
    );
    expect(ok.status).toBe(200);
    expect(app.store.data.customers.acme?.name).toBe('Acme');
    expect((await call(app.url, 'GET', '/api/tools', { cookie })).status).toBe(200);
    // A page on another origin carries the cookie only if SameSite fails; the Origin check refuses it anyway.
    for (const origin of ['http://evil.example', `http://127.0.0.1:${app.port + 1}`, 'null']) {
      const cross = await call(
        app.url,
        'POST',
        '/api/tools/delete_customer',
        { cookie, 'x-csrf-token': csrf, origin },
        { customer_id: 'acme' },
      );
      expect(cross.status).toBe(403);
    }
    expect(app.store.data.customers.acme).toBeDefined();
    // No cookie, no key: refused.
    expect((await call(app.url, 'POST', '/api/tools/list_customers', {}, {})).status).toBe(401);
  });

  it('scripts keep using an admin key (no cookie, no CSRF); a gateway key is refused', async () => {
    const { app, adminKey, mint } = await startTestGateway();
    expect((await call(app.url, 'POST', '/api/tools/list_customers', bearer(adminKey), {})).status).toBe(200);
    expect(
      (await call(app.url, 'POST', '/api/tools/list_customers', bearer(mint('gateway')), {})).status,
    ).toBe(403);
  });

  it('signing in with an admin key opens a session that ends when the key is revoked; sign-out ends it too', async () => {
    const { app, adminKey, mint } = await startTestGateway();
    const gateway = await call(app.url, 'POST', '/api/session', {}, { api_key: mint('gateway') });
    expect(gateway.status).toBe(403);
    expect(gateway.body.error).toMatch(/needs an admin key/);
    expect((await call(app.url, 'POST', '/api/session', {}, { api_key: 'ptc_nope' })).status).toBe(401);
    const second = mint('admin');
    const byKey = await call(app.url, 'POST', '/api/session', {}, { api_key: second });
    const cookie = String(byKey.headers['set-cookie']).split(';')[0] ?? '';
    const csrf = String(byKey.body.value?.csrf);
    expect((await call(app.url, 'GET', '/api/tools', { cookie })).status).toBe(200);
    const keyId = second.split('_')[1];
    await call(app.url, 'POST', '/api/tools/revoke_api_key', bearer(adminKey), { key_id: keyId });
    await expect.poll(async () => (await call(app.url, 'GET', '/api/tools', { cookie })).status).toBe(401);

    const { cookie: other, csrf: otherCsrf } = await signIn(app.url, app.loginLink());
    expect((await call(app.url, 'DELETE', '/api/session', { cookie: other })).status).toBe(403);
    const out = await call(app.url, 'DELETE', '/api/session', { cookie: other, 'x-csrf-token': otherCsrf });
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect((await call(app.url, 'GET', '/api/tools', { cookie: other })).status).toBe(401);
    expect(csrf).not.toBe(otherCsrf);
  });

  it('only the local CLI may mint sign-in links', async () => {
    const { app, adminKey } = await startTestGateway();
    const refused = await call(app.url, 'POST', '/api/login-link', bearer(adminKey), {});
    expect(refused.status).toBe(403);
  });

  it('/api/events streams workspace changes and recorded calls to a signed-in page, and nothing to anyone else', async () => {
    const { app, adminKey } = await startTestGateway();
    expect((await call(app.url, 'GET', '/api/events')).status).toBe(401);
    const { cookie } = await signIn(app.url, app.loginLink());
    const seen: string[] = [];
    const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(`${app.url}/api/events`, { headers: { cookie } }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    stream.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString().matchAll(/^event: (\w+)$/gm)) seen.push(m[1] ?? '');
    });
    await call(app.url, 'POST', '/api/tools/create_customer', bearer(adminKey), { id: 'live', name: 'Live' });
    await expect.poll(() => seen.includes('change')).toBe(true);
    await expect.poll(() => seen.includes('activity')).toBe(true);
    stream.destroy();
  });

  it("a page's own reads are page views: not recorded as activity, so an open Activity page is not fed by itself", async () => {
    const { app, adminKey } = await startTestGateway();
    const { cookie, csrf } = await signIn(app.url, app.loginLink());
    for (let i = 0; i < 3; i += 1) {
      expect(
        (await call(app.url, 'POST', '/api/tools/list_activity', { cookie, 'x-csrf-token': csrf }, {}))
          .status,
      ).toBe(200);
      expect(
        (await call(app.url, 'POST', '/api/tools/get_activity_stats', { cookie, 'x-csrf-token': csrf }, {}))
          .status,
      ).toBe(200);
    }
    await call(
      app.url,
      'POST',
      '/api/tools/create_customer',
      { cookie, 'x-csrf-token': csrf },
      { id: 'seen', name: 'Seen' },
    );
    // A script's read (admin key, no session) is still recorded.
    await call(app.url, 'POST', '/api/tools/list_customers', bearer(adminKey), {});
    const log = await call(app.url, 'POST', '/api/tools/list_activity', bearer(adminKey), {});
    const tools = ((log.body.value?.entries ?? []) as { tool: string }[]).map((e) => e.tool);
    expect(tools.sort()).toEqual(['create_customer', 'list_customers']);
  });
});
