import { ToolError } from './registry';

export const now = (): string => new Date().toISOString();

/** Sort records by id for stable pagination. */
export const byId = <T extends { id: string }>(records: Record<string, T>): T[] =>
  Object.values(records).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Accepts only http(s) URLs, with an error that names the field. */
export function httpUrl(value: string, field: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // fall through to the error
  }
  throw new ToolError(
    `\`${field}\` must be an http(s) URL such as "https://api.example.com", got "${value}".`,
  );
}
