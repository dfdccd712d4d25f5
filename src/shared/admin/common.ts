import { z } from 'zod';

/** Schemas several resources' contracts share. */

export const okOutput = z.object({ ok: z.literal(true), message: z.string().describe('What was done.') });

export const forceInput = z
  .boolean()
  .default(false)
  .describe(
    'Also delete the records that reference this one (listed in the refusal message) instead of refusing.',
  );

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
