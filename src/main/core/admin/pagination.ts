import { z } from 'zod';
import { ToolError } from './registry';

export const pageInput = {
  cursor: z
    .string()
    .optional()
    .describe("Opaque cursor from a previous page's `next_cursor`; omit for the first page."),
  limit: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .describe('Maximum number of items to return (1-500, default 50).'),
};

export const pageOutput = {
  next_cursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` to get the next page; null when this is the last page.'),
  total: z.number().int().describe('Number of items across all pages.'),
};

/** Offset pagination over an already-sorted list with an opaque cursor. */
export function paginate<T>(items: readonly T[], cursor: string | undefined, limit: number) {
  let offset = 0;
  if (cursor) {
    const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
    const decoded = /^o:\d+$/.test(text) ? Number(text.slice(2)) : -1;
    if (decoded < 0)
      throw new ToolError(
        `Invalid cursor "${cursor}": pass the next_cursor value from the previous page, or omit it.`,
      );
    offset = decoded;
  }
  const page = items.slice(offset, offset + limit);
  const next =
    offset + limit < items.length ? Buffer.from(`o:${offset + limit}`).toString('base64url') : null;
  return { page, next_cursor: next, total: items.length };
}
