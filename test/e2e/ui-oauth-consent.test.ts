// The OAuth consent page in a real browser: an MCP client's authorization request lands a signed-in
// admin on #/consent/ID, which shows the client and where the answer goes, preselects the plane and
// customer the client named, passes axe, and on Allow (or Deny) sends the browser back to the
// client's redirect URI with the code (or access_denied), state and iss. The code then buys a token
// that opens that customer's gateway, until the API keys page revokes it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256 } from '../../src/main/core/oauth/tokens';
import { registryOf } from '../helpers/api-registry';
import { chromiumAvailable, expectAccessible, firstAdminKey, signInWithKey } from '../helpers/browser';
import { type Served, serve } from '../helpers/cli';
import { initializeBody, rawPost } from '../helpers/gateway';
import { tempDir } from '../helpers/temp';

if (!chromiumAvailable) console.log('OAuth consent e2e skipped: no Chromium');

const VERIFIER = 'e2e-verifier-'.padEnd(60, 'x');

describe.skipIf(!chromiumAvailable)('the OAuth consent page', () => {
  let served: Served;
  let client: Server;
  let clientBase: string;
  let callbacks: ((req: IncomingMessage) => void)[] = [];

  beforeAll(async () => {
    served = await serve(['--data-dir', tempDir(), '--oauth']);
    await registryOf(served)('create_customer', { id: 'acme', name: 'Acme Inc.' });
    // The MCP client: its metadata document and its redirect URI, on loopback.
    client = createServer((req, res) => {
      if (req.url === '/client.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            client_id: `${clientBase}/client.json`,
            client_name: 'E2E Agent',
            redirect_uris: [`${clientBase}/callback`],
          }),
        );
        return;
      }
      // Only the redirect back is an answer (the browser also asks this origin for a favicon).
      if (req.url?.startsWith('/callback')) {
        for (const waiter of callbacks) waiter(req);
        callbacks = [];
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('You can close this window.');
    });
    await new Promise<void>((resolve) => client.listen(0, '127.0.0.1', resolve));
    clientBase = `http://127.0.0.1:${(client.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => client.close(resolve));
    expect(await served.stop()).toBe(0);
  });

  const authorizeUrl = (state: string) =>
    `${served.url}/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: `${clientBase}/client.json`,
      redirect_uri: `${clientBase}/callback`,
      code_challenge: s256(VERIFIER),
      code_challenge_method: 'S256',
      state,
      resource: `${served.url}/mcp/gateway?customer_id=acme`,
    })}`;
  const nextCallback = () =>
    new Promise<URL>((resolve) => {
      callbacks.push((req) => resolve(new URL(req.url ?? '/', clientBase)));
    });

  it('Allow sends the code back; the token opens the chosen customer’s gateway', async () => {
    const { page, problems, context } = await signInWithKey(served.url, firstAdminKey(served));
    await page.goto(authorizeUrl('s1'));
    await page.getByRole('heading', { name: 'Allow an MCP client?', level: 1 }).waitFor();
    expect(page.url()).toMatch(/#\/consent\/[A-Za-z0-9_-]+$/);
    await page.getByText('E2E Agent').first().waitFor();
    const acme = page.getByRole('checkbox', { name: /Acme Inc\./ });
    await acme.waitFor();
    expect(await acme.isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: /gateway/ }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: /admin/ }).isDisabled()).toBe(true);
    await expectAccessible(page, 'consent page');
    const back = nextCallback();
    await page.getByRole('button', { name: 'Allow' }).click();
    const answer = await back;
    expect(answer.searchParams.get('state')).toBe('s1');
    expect(answer.searchParams.get('iss')).toBe(served.url);
    const token = await fetch(`${served.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: answer.searchParams.get('code') ?? '',
        code_verifier: VERIFIER,
        redirect_uri: `${clientBase}/callback`,
        client_id: `${clientBase}/client.json`,
      }),
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const opened = await rawPost(`${served.url}/mcp/gateway?customer_id=acme`, initializeBody, {
      authorization: `Bearer ${access_token}`,
    });
    expect(opened.status).toBe(200);
    // API keys → OAuth clients lists it; Revoke refuses its token at once.
    await page.goto(`${served.url}/#/keys`);
    const row = page.getByRole('row', { name: /E2E Agent/ });
    await row.waitFor();
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Revoked "E2E Agent".').waitFor();
    const refused = await rawPost(`${served.url}/mcp/gateway?customer_id=acme`, initializeBody, {
      authorization: `Bearer ${access_token}`,
    });
    expect(refused.status).toBe(401);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('Deny sends access_denied back', async () => {
    const { page, problems, context } = await signInWithKey(served.url, firstAdminKey(served));
    await page.goto(authorizeUrl('s2'));
    await page.getByRole('heading', { name: 'Allow an MCP client?', level: 1 }).waitFor();
    await page.getByText('E2E Agent').first().waitFor();
    await page.getByRole('button', { name: 'Deny' }).waitFor();
    const back = nextCallback();
    await page.getByRole('button', { name: 'Deny' }).click();
    const answer = await back;
    expect(answer.searchParams.get('error')).toBe('access_denied');
    expect(answer.searchParams.get('state')).toBe('s2');
    expect(problems).toEqual([]);
    // Closing the browser while it is still loading the client's page can hang Playwright: let it land.
    await page.waitForURL(/\/callback\?/);
    await page.waitForLoadState('load');
    await context.close();
  }, 60_000);
});
