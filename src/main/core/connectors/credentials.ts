import type { Credentials } from '../../../shared/schemas/credentials';

export { type Credentials, credentialsSchema } from '../../../shared/schemas/credentials';

export const MASK = '••••••••';

/** Credentials with every value replaced by a mask, keeping the shape (which fields and env/header names are set). */
export function maskCredentials(keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const [field, sub] = key.split('.', 2) as [string, string | undefined];
    if (sub !== undefined) {
      const map = (out[field] as Record<string, string> | undefined) ?? {};
      map[sub] = MASK;
      out[field] = map;
    } else out[field] = MASK;
  }
  return out;
}

/** The field names present, with env/header names as `env.NAME` — stored in clear for masked display. */
export function credentialKeys(credentials: Credentials): string[] {
  const keys: string[] = [];
  for (const [field, value] of Object.entries(credentials)) {
    if (value === undefined) continue;
    if (typeof value === 'object') for (const sub of Object.keys(value)) keys.push(`${field}.${sub}`);
    else keys.push(field);
  }
  return keys.sort();
}

/** Every secret string in a credentials object, for redaction. */
export function secretValues(credentials: Credentials | undefined): string[] {
  if (!credentials) return [];
  const values: string[] = [];
  for (const [field, value] of Object.entries(credentials)) {
    if (field === 'username' || field === 'expires_at' || value === undefined) continue;
    if (typeof value === 'object') values.push(...Object.values(value));
    else values.push(value);
  }
  return values.filter((v) => v.length >= 4);
}
