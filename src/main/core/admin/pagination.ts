import { ToolError } from './registry';

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
