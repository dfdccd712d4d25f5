import type { Customer, Workspace } from '../store/schema';
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

/** The customer with this id, or an error that says how to find or add one. */
export function requireCustomer(ws: Workspace, id: string): Customer {
  const customer = ws.customers[id];
  if (!customer) {
    throw new ToolError(
      `No customer with id "${id}". Use list_customers to see the ids, or create_customer to add it.`,
    );
  }
  return customer;
}
