import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminRegistry, AdminServices } from '../admin/registry';

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
      `<body style="font-family:system-ui;margin:3em"><h1>${esc(title)}</h1><p>${esc(message)}</p></body></html>`,
  );
}

/**
 * The loopback OAuth redirect target: hands what the provider sent to the registry's
 * complete_oauth_connect (the one implementation) and shows its outcome as a page.
 */
export async function handleOAuthCallback(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  registry: AdminRegistry,
  services: AdminServices,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET');
    page(res, 405, 'Not connected', `The OAuth callback only takes GET requests, not ${req.method}.`);
    return;
  }
  // Bounded to what the tool accepts: a provider's long error text must not become an input error.
  const param = (name: string, max = 1000) => url.searchParams.get(name)?.slice(0, max) ?? undefined;
  const state = param('state', 200) ?? '';
  if (!state) {
    page(
      res,
      400,
      'Link expired',
      'This connect link has no state. Ask for a new one (get_connect_url) and try again.',
    );
    return;
  }
  const result = await registry.call(
    'complete_oauth_connect',
    {
      state,
      code: param('code', 4096),
      error: param('error', 200),
      error_description: param('error_description'),
    },
    services,
    { entryPoint: 'oauth' },
  );
  if (result.ok) {
    const message = typeof result.value.message === 'string' ? result.value.message : 'Connected.';
    page(res, 200, 'Connected', message);
    return;
  }
  const expired = /already used or has expired/.test(result.error);
  const exchange = /Exchanging the authorization code failed/.test(result.error);
  page(res, expired ? 400 : exchange ? 502 : 400, expired ? 'Link expired' : 'Not connected', result.error);
}
