// What a person types to connect a customer to a connector — one field list for the admin UI's
// connection form and the customer-facing connect page, derived from the connector's auth scheme
// (or, for catalog MCP servers, from the catalog's example credentials). Pure: both sides use it.
import type { Credentials } from './credentials';

export interface CredentialField {
  /** Where the value goes in `credentials`: `api_key`, `token`, `username`, `password`, `env.NAME`, `headers.NAME`. */
  path: string;
  label: string;
  /** Entered hidden and never shown again. */
  secret: boolean;
  placeholder?: string;
  /** Empty is allowed (a Basic password may be empty). */
  optional?: boolean;
}

export interface CredentialNeeds {
  scheme?: 'none' | 'api_key' | 'bearer' | 'basic' | 'oauth2';
  /** api_key: where and under which name the key goes. */
  in?: 'header' | 'query';
  name?: string;
  /** A catalog entry's example `credentials` ("<…>" placeholders), when the connector came from the catalog. */
  example?: Credentials;
}

const SECRET_NAME = /key|token|secret|password|pass|auth|credential/i;

/** The fields to ask for; empty when the connector needs nothing typed (none, or OAuth consent). */
export function credentialFields(needs: CredentialNeeds): CredentialField[] {
  switch (needs.scheme) {
    case 'api_key':
      return [
        {
          path: 'api_key',
          label: `API key${needs.name ? ` (sent as ${needs.in === 'query' ? 'query parameter' : 'header'} ${needs.name})` : ''}`,
          secret: true,
        },
      ];
    case 'bearer':
      return [{ path: 'token', label: 'Bearer token', secret: true }];
    case 'basic':
      return [
        { path: 'username', label: 'Username', secret: false },
        { path: 'password', label: 'Password', secret: true, optional: true },
      ];
    case 'oauth2':
      return [];
    default:
      return exampleFields(needs.example ?? {});
  }
}

function exampleFields(example: Credentials): CredentialField[] {
  const fields: CredentialField[] = [];
  const hint = (value: string) => value.replace(/^<|>$/g, '');
  for (const key of ['api_key', 'token', 'username', 'password'] as const) {
    const value = example[key];
    if (typeof value === 'string')
      fields.push({ path: key, label: hint(value), secret: key !== 'username', placeholder: hint(value) });
  }
  for (const group of ['env', 'headers'] as const) {
    for (const [name, value] of Object.entries(example[group] ?? {}))
      fields.push({
        path: `${group}.${name}`,
        label: `${name} — ${hint(value)}`,
        secret: SECRET_NAME.test(name),
        placeholder: hint(value),
      });
  }
  return fields;
}

/** Builds `credentials` from the values typed into `fields` (keyed by path); blanks are left out. */
export function credentialsFrom(fields: CredentialField[], values: Record<string, string>): Credentials {
  const credentials: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.path] ?? '';
    if (value === '' && !(field.optional && field.path === 'password')) continue;
    const dot = field.path.indexOf('.');
    if (dot < 0) credentials[field.path] = value;
    else {
      const group = field.path.slice(0, dot);
      const inner = (credentials[group] ?? Object.create(null)) as Record<string, string>;
      inner[field.path.slice(dot + 1)] = value;
      credentials[group] = inner;
    }
  }
  return credentials as Credentials;
}
