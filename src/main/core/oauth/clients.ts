import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { OAuthClientMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import { z } from 'zod';
import type { Database, Db } from '../store/database';
import { type OAuthResponse, oauthError } from './metadata';

/** An MCP client as the authorization server knows it. */
export interface ClientInfo {
  clientId: string;
  name: string;
  uri?: string;
  redirectUris: string[];
  /** By a Client ID Metadata Document (client_id is its URL) or registered here (RFC 7591). */
  kind: 'document' | 'registered';
}

export type ClientLookup =
  | { ok: true; client: ClientInfo }
  | { ok: false; error: string; description: string };

const DOCUMENT_LIMIT = 64 * 1024;
const DOCUMENT_TIMEOUT_MS = 5_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const isLoopback = (url: URL) => LOOPBACK.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);

/**
 * A redirect URI a client may register: https, or http on loopback (a native app's local
 * listener, RFC 8252), or a private-use scheme (`com.example.app:/cb`); never a fragment.
 */
function redirectProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `"${uri}" is not an absolute URL`;
  }
  if (url.hash) return `"${uri}" has a fragment`;
  if (url.protocol === 'javascript:' || url.protocol === 'data:' || url.protocol === 'file:')
    return `"${uri}" uses the ${url.protocol} scheme`;
  if (url.protocol === 'http:' && !isLoopback(url))
    return `"${uri}" is http:// beyond loopback; use https://`;
  return undefined;
}

/** Reads a response body up to `limit` bytes; more is an error. */
export async function boundedText(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit) throw new Error(`it is larger than ${limit} bytes`);
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new Error(`it is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Addresses a client's metadata document may not be on: private networks and link-local (cloud metadata). */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
  ['0.0.0.0', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/**
 * Why a metadata document's host may not be fetched (a request to /oauth/authorize must not make
 * Portico reach into its own network), or undefined. Loopback stays allowed (a client on this
 * machine; the tests). The check is on resolution; the fetch resolves again.
 */
async function privateHost(url: URL): Promise<string | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  } catch {
    return `its host ${host} does not resolve`;
  }
  const bad = addresses.find((a) => PRIVATE.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'));
  return bad ? `its host ${host} is on a private or link-local network (${bad.address})` : undefined;
}

const documentSchema = OAuthClientMetadataSchema.extend({ client_id: z.string() });

/**
 * A client identified by a Client ID Metadata Document: client_id is an https URL (http only on
 * loopback) whose JSON document names the client and its redirect URIs. Read with a time and size
 * bound, no redirects followed.
 */
async function documentClient(clientId: string): Promise<ClientLookup> {
  const url = new URL(clientId);
  const refuse = (description: string): ClientLookup => ({ ok: false, error: 'invalid_client', description });
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url)))
    return refuse(
      `client_id "${clientId}" is a URL but not https:// (http:// is accepted only for a document on loopback).`,
    );
  if (url.pathname === '/' || url.hash || url.username || url.password)
    return refuse(
      `client_id "${clientId}" must be an https URL with a path, no fragment and no credentials.`,
    );
  if (!isLoopback(url)) {
    const why = await privateHost(url);
    if (why) return refuse(`the client metadata document at ${clientId} is not fetched: ${why}.`);
  }
  let text: string;
  try {
    const response = await fetch(url, {
      redirect: 'error',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(DOCUMENT_TIMEOUT_MS),
    });
    if (!response.ok)
      return refuse(`the client metadata document at ${clientId} answered ${response.status}.`);
    text = await boundedText(response, DOCUMENT_LIMIT);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return refuse(`the client metadata document at ${clientId} could not be read: ${why}.`);
  }
  let parsed: z.infer<typeof documentSchema>;
  try {
    parsed = documentSchema.parse(JSON.parse(text));
  } catch {
    return refuse(
      `the client metadata document at ${clientId} is not valid JSON client metadata (it needs client_id and redirect_uris).`,
    );
  }
  if (parsed.client_id !== clientId)
    return refuse(
      `the client metadata document at ${clientId} names another client_id ("${parsed.client_id}").`,
    );
  if (parsed.token_endpoint_auth_method && parsed.token_endpoint_auth_method !== 'none')
    return refuse(
      `the client metadata document asks for token_endpoint_auth_method "${parsed.token_endpoint_auth_method}"; Portico supports public clients ("none") only.`,
    );
  const bad = parsed.redirect_uris.map(redirectProblem).find(Boolean);
  if (bad) return refuse(`the client metadata document has an unusable redirect URI: ${bad}.`);
  return {
    ok: true,
    client: {
      clientId,
      name: parsed.client_name ?? url.host,
      ...(parsed.client_uri ? { uri: parsed.client_uri } : {}),
      redirectUris: parsed.redirect_uris,
      kind: 'document',
    },
  };
}

const storedClient = z.object({
  client_name: z.string().optional(),
  client_uri: z.string().optional(),
  redirect_uris: z.array(z.string()),
});

/** Finds a client by id: a metadata document's URL, or a client registered here. */
export async function resolveClient(db: Db, clientId: string): Promise<ClientLookup> {
  if (/^https?:\/\//i.test(clientId)) return documentClient(clientId);
  const row = await db.selectFrom('oauth_clients').selectAll().where('id', '=', clientId).executeTakeFirst();
  if (!row)
    return {
      ok: false,
      error: 'invalid_client',
      description: `unknown client_id "${clientId}": register the client at /oauth/register, or use a Client ID Metadata Document URL as client_id.`,
    };
  const data = storedClient.parse(JSON.parse(row.data));
  return {
    ok: true,
    client: {
      clientId: row.id,
      name: data.client_name ?? row.id,
      ...(data.client_uri ? { uri: data.client_uri } : {}),
      redirectUris: data.redirect_uris,
      kind: 'registered',
    },
  };
}

/** Dynamic client registration (RFC 7591): public clients only; returns the new client_id. */
export async function registerClient(database: Database, body: unknown): Promise<OAuthResponse> {
  const parsed = OAuthClientMetadataSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    const invalidRedirect = issue?.path[0] === 'redirect_uris';
    return oauthError(
      400,
      invalidRedirect ? 'invalid_redirect_uri' : 'invalid_client_metadata',
      `${where}: ${issue?.message ?? 'invalid'}. Send JSON client metadata with at least redirect_uris (RFC 7591).`,
    );
  }
  const metadata = parsed.data;
  if (!metadata.redirect_uris.length)
    return oauthError(400, 'invalid_redirect_uri', 'redirect_uris must name at least one redirect URI.');
  const bad = metadata.redirect_uris.map(redirectProblem).find(Boolean);
  if (bad) return oauthError(400, 'invalid_redirect_uri', `Unusable redirect URI: ${bad}.`);
  const grantTypes = metadata.grant_types ?? ['authorization_code', 'refresh_token'];
  const unsupported = grantTypes.filter((g) => g !== 'authorization_code' && g !== 'refresh_token');
  if (unsupported.length)
    return oauthError(
      400,
      'invalid_client_metadata',
      `grant_types ${unsupported.join(', ')} are not supported; Portico issues authorization_code and refresh_token.`,
    );
  const id = `ptcl_${randomBytes(12).toString('base64url')}`;
  const issuedAt = Math.floor(Date.now() / 1000);
  const stored = {
    ...(metadata.client_name ? { client_name: metadata.client_name.slice(0, 200) } : {}),
    ...(metadata.client_uri ? { client_uri: metadata.client_uri } : {}),
    redirect_uris: metadata.redirect_uris,
  };
  await database.write((tx) =>
    tx
      .insertInto('oauth_clients')
      .values({ id, data: JSON.stringify(stored), created_at: new Date().toISOString() })
      .execute(),
  );
  return {
    status: 201,
    headers: { 'cache-control': 'no-store' },
    json: {
      ...stored,
      client_id: id,
      client_id_issued_at: issuedAt,
      token_endpoint_auth_method: 'none',
      grant_types: grantTypes,
      response_types: ['code'],
    },
  };
}
