import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
};

const PLACEHOLDER = `<!doctype html><html><head><meta charset="utf-8"><title>Portico</title></head>
<body><h1>Portico</h1><p>The gateway is running. The web UI has not been built: run <code>npm run build</code>.</p></body></html>`;

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/**
 * Serves the built renderer (the web UI in headless mode); unknown paths fall back to index.html.
 * Asynchronous file checks: a page load never blocks the gateway's event loop.
 */
export async function serveStatic(
  root: string | undefined,
  pathname: string,
  res: ServerResponse,
): Promise<void> {
  if (!root || !(await isFile(join(root, 'index.html')))) {
    res.writeHead(200, { 'content-type': TYPES['.html'] ?? 'text/html', ...SECURITY_HEADERS });
    res.end(PLACEHOLDER);
    return;
  }
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  } catch {
    res.writeHead(400).end();
    return;
  }
  let file = join(root, relative);
  if (!file.startsWith(root + sep) && file !== root) {
    res.writeHead(404).end();
    return;
  }
  if (!(await isFile(file))) file = join(root, 'index.html');
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
    ...SECURITY_HEADERS,
  });
  createReadStream(file).pipe(res);
}
