import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from './output';

/** File paths in arguments are the user's, relative to their shell: made absolute before the call leaves this process. */
const PATH_FIELDS = ['spec_path'] as const;

/** The JSON arguments of `portico admin TOOL [JSON]` (`-` reads standard input). */
export function adminArgs(tool: string, raw: string | undefined): unknown {
  if (raw === undefined) return {};
  const text = raw === '-' ? readFileSync(0, 'utf8') : raw;
  let args: unknown;
  try {
    args = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `The arguments for ${tool} are not valid JSON (${error instanceof Error ? error.message : error}). Example: portico admin ${tool} '{"key":"value"}'`,
    );
  }
  if (args && typeof args === 'object' && !Array.isArray(args)) {
    const record = args as Record<string, unknown>;
    for (const field of PATH_FIELDS) {
      const value = record[field];
      if (typeof value === 'string' && value && !isAbsolute(value)) record[field] = resolve(value);
    }
  }
  return args;
}
