// The connect page's three requests. Not the admin registry: the page holds no admin session,
// only a connect link's token, which the server checks and turns into one registry call
// (create_connection / update_connection / get_connect_url) for one customer and connector.
import type { CredentialField } from '../../../shared/schemas/credential-fields';
import type { Credentials } from '../../../shared/schemas/credentials';

export interface ConnectInfo {
  customer: { id: string; name: string };
  connector: { id: string; name: string; kind: string };
  scheme: string;
  fields: CredentialField[];
  connected: boolean;
  expires_at: string;
}

type Answer<T> = { ok: true; value: T } | { ok: false; error: string };

async function request<T>(token: string, path: string, body?: unknown): Promise<Answer<T>> {
  try {
    const response = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        accept: 'application/json',
        'x-connect-token': token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = (await response.json()) as Answer<T>;
    return typeof parsed === 'object' && parsed !== null && 'ok' in parsed
      ? parsed
      : { ok: false, error: `Portico answered HTTP ${response.status} unexpectedly.` };
  } catch (error) {
    return { ok: false, error: `Could not reach Portico: ${error instanceof Error ? error.message : error}` };
  }
}

export const loadConnectInfo = (token: string) => request<ConnectInfo>(token, '/api/connect');

export const saveCredentials = (token: string, credentials: Credentials) =>
  request<{ id: string; status?: string }>(token, '/api/connect', { credentials });

export const startOAuth = (token: string) =>
  request<{ url: string | null; kind: string }>(token, '/api/connect/oauth', {});
