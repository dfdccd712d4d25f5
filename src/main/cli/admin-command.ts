import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { adminRegistry } from '../core/admin';
import { type CliTarget, openCliRegistry } from './context';
import { type CliIO, json, table, UsageError } from './output';

/** File paths in arguments are the user's, relative to their shell: made absolute before the call leaves this process. */
const PATH_FIELDS = ['spec_path'] as const;

/** `portico admin TOOL [JSON]`: one control-plane tool through the registry — the server's when one runs. */
export async function adminCommand(
  target: Omit<CliTarget, 'readOnly'>,
  positionals: string[],
  io: CliIO,
): Promise<number> {
  const registry = adminRegistry();
  const [tool, rawArgs] = positionals;
  if (!tool || tool === 'help') {
    io.out(
      `Usage: portico admin TOOL [JSON]   (JSON may be '-' to read standard input)\n\n${table(
        ['TOOL', 'DESCRIPTION'],
        registry.list().map((t) => [t.name, t.description.split('. ')[0] ?? '']),
      )}`,
    );
    return tool ? 0 : 2;
  }
  let args: unknown = {};
  if (rawArgs !== undefined) {
    const text = rawArgs === '-' ? readFileSync(0, 'utf8') : rawArgs;
    try {
      args = JSON.parse(text);
    } catch (error) {
      throw new UsageError(
        `The arguments for ${tool} are not valid JSON (${error instanceof Error ? error.message : error}). Example: portico admin ${tool} '{"key":"value"}'`,
      );
    }
  }
  if (!registry.has(tool)) {
    io.err(`Unknown admin tool "${tool}". Run \`portico admin help\` to list them.`);
    return 1;
  }
  if (args && typeof args === 'object' && !Array.isArray(args)) {
    const record = args as Record<string, unknown>;
    for (const field of PATH_FIELDS) {
      const value = record[field];
      if (typeof value === 'string' && value && !isAbsolute(value)) record[field] = resolve(value);
    }
  }
  const session = await openCliRegistry({ ...target, readOnly: registry.isReadOnly(tool, args) });
  try {
    const result = await session.call(tool, args);
    if (!result.ok) {
      io.err(result.error);
      return 1;
    }
    io.out(json(result.value));
    return 0;
  } finally {
    await session.close();
  }
}
