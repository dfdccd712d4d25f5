import { z } from 'zod';

export const now = (): string => new Date().toISOString();

export const okOutput = z.object({ ok: z.literal(true), message: z.string().describe('What was done.') });

export const forceInput = z
  .boolean()
  .default(false)
  .describe(
    'Also delete the records that reference this one (listed in the refusal message) instead of refusing.',
  );

/** Sort records by id for stable pagination. */
export const byId = <T extends { id: string }>(records: Record<string, T>): T[] =>
  Object.values(records).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
