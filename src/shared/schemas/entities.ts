import { z } from 'zod';

/**
 * Building blocks of the workspace's records that the admin contracts use as well: the store's
 * record schemas (src/main/core/store/schema.ts) and the registry's inputs and outputs share them.
 */

export const idString = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]*$/,
    'use letters, digits, ".", "_", ":" or "-" (starting with a letter or digit)',
  );
export const slugString = z
  .string()
  .min(1)
  .max(40)
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'use lowercase letters, digits, "_" or "-" (starting with a letter or digit)',
  );

export const planeName = z.enum(['admin', 'gateway']);
export type PlaneName = z.infer<typeof planeName>;

export const toolModeSchema = z.enum(['direct', 'search', 'auto']);

export const authSchemeSchema = z.enum(['none', 'api_key', 'bearer', 'basic', 'oauth2']);

export const connectionStatusSchema = z.enum(['untested', 'active', 'error', 'expired']);

export const apiKeyScopeSchema = z.enum(['admin', 'gateway']);
