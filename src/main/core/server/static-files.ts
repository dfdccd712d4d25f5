import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { sendJson } from './http-util';

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

/** The paths of the page itself; the UI routes with `/#/…`, so no other path is a page. */
const PAGE_PATHS = new Set(['/', '/index.html']);

const ENDPOINTS =
  'Portico serves the web UI at /, the MCP endpoints /mcp/admin and /mcp/gateway?customer_id=ID, and /healthz.';

/** What an unknown path answers: JSON, never the page (an MCP client must not mistake it for metadata). */
function notFound(res: ServerResponse, pathname: string): void {
  sendJson(res, 404, { error: 'not_found', message: `Not found: ${pathname}. ${ENDPOINTS}` });
}

const fileIn = async (root: string, path: string): Promise<string | undefined> => {
  try {
    const [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
    // A link inside the renderer folder never leads out of it.
    if (!real.startsWith(realRoot + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The web UI in headless mode: the page at `/` and `/index.html`, and the built files of the
 * renderer folder. Every other path (`/.well-known/…`, `/register`, a mistyped endpoint) is a
 * JSON 404, as is anything that would resolve outside the folder. Asynchronous file checks: a
 * page load never blocks the gateway's event loop.
 */
export async function serveStatic(
  root: string | undefined,
  req: IncomingMessage,
  pathname: string,
  res: ServerResponse,
): Promise<void> {
  const file = await resolveFile(root, pathname);
  if (file === undefined) {
    notFound(res, pathname);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: `${req.method} is not supported on ${pathname}` }, { allow: 'GET, HEAD' });
    return;
  }
  if (file === null) {
    res.writeHead(200, { 'content-type': TYPES['.html'] ?? 'text/html', ...SECURITY_HEADERS });
    res.end(PLACEHOLDER);
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
    ...SECURITY_HEADERS,
  });
  createReadStream(file).pipe(res);
}

/**
 * The file a path names inside `root`; `null` for the page when the UI isn't built (the
 * placeholder); undefined when the path names nothing Portico serves.
 */
async function resolveFile(root: string | undefined, pathname: string): Promise<string | null | undefined> {
  const page = PAGE_PATHS.has(pathname);
  const index = root ? await fileIn(root, join(root, 'index.html')) : undefined;
  if (!root || !index) return page ? null : undefined;
  if (page) return index;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  // Only plain relative paths below the folder: no NUL, backslash or dot segment, encoded or not.
  if (/[\0\\]/.test(decoded) || decoded.split('/').some((part) => part === '..' || part === '.'))
    return undefined;
  const relative = normalize(decoded).replace(/^\/+/, '');
  if (relative === '' || relative.startsWith('..')) return undefined;
  return fileIn(root, join(root, relative));
}
