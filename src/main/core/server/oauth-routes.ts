import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorize } from '../oauth/authorize';
import { registerClient } from '../oauth/clients';
import { announceRevoked } from '../oauth/grants';
import {
  authorizationServerMetadata,
  type OAuthResponse,
  oauthError,
  protectedResourceMetadata,
} from '../oauth/metadata';
import { tokenRequest } from '../oauth/token';
import type { Database } from '../store/database';
import { sendJson } from './http-util';

const BODY_LIMIT = 64 * 1024;

/** A small request body as text, or null when it is over the limit. */
async function readText(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > BODY_LIMIT) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, answer: OAuthResponse): void {
  if (answer.json === undefined) {
    res.writeHead(answer.status, answer.headers ?? {});
    res.end();
    return;
  }
  sendJson(res, answer.status, answer.json, answer.headers);
}

/** The client id of an HTTP Basic header (its user name), if one is sent. */
function basicClientId(req: IncomingMessage): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const user = Buffer.from(match[1], 'base64').toString('utf8').split(':')[0];
  return user ? decodeURIComponent(user) : undefined;
}

const PRM = /^\/\.well-known\/oauth-protected-resource(\/mcp\/(admin|gateway))?\/?$/;

/**
 * The built-in authorization server and the planes' Protected Resource Metadata, when OAuth for
 * MCP clients is on; with an external issuer (`external`), the metadata only, naming it. Returns
 * false for a path that is none of them (the caller answers 404).
 */
export async function handleOAuthRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  database: Database,
  base: string,
  external?: string,
): Promise<boolean> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const only = (allowed: string) => {
    if (method === allowed) return true;
    sendJson(
      res,
      405,
      { error: 'invalid_request', error_description: `Use ${allowed} ${path}.` },
      { allow: allowed },
    );
    return false;
  };
  const prm = PRM.exec(path);
  if (prm) {
    if (!only('GET')) return true;
    const plane = prm[2] === 'admin' || prm[2] === 'gateway' ? prm[2] : null;
    sendJson(res, 200, protectedResourceMetadata(base, plane, external ?? base));
    return true;
  }
  if (external) return false;
  if (path === '/.well-known/oauth-authorization-server') {
    if (!only('GET')) return true;
    sendJson(res, 200, authorizationServerMetadata(base));
    return true;
  }
  if (path === '/oauth/authorize') {
    if (!only('GET')) return true;
    send(res, await authorize(database, base, url));
    return true;
  }
  if (path === '/oauth/token' || path === '/oauth/register') {
    if (!only('POST')) return true;
    const text = await readText(req);
    if (text === null) {
      send(res, oauthError(413, 'invalid_request', `The request body is over ${BODY_LIMIT} bytes.`));
      return true;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (path === '/oauth/register') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        send(
          res,
          oauthError(400, 'invalid_client_metadata', 'The body must be JSON client metadata (RFC 7591).'),
        );
        return true;
      }
      send(res, await registerClient(database, body));
      return true;
    }
    if (type !== 'application/x-www-form-urlencoded') {
      send(
        res,
        oauthError(
          400,
          'invalid_request',
          'Send the token request as application/x-www-form-urlencoded (RFC 6749 §3.2).',
        ),
      );
      return true;
    }
    send(res, await tokenRequest(database, new URLSearchParams(text), basicClientId(req), announceRevoked));
    return true;
  }
  return false;
}
