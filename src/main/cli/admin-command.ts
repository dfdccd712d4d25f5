import { readFileSync } from 'node:fs';
import { createAdminRegistry } from '../core/admin';
import { openCliContext } from './context';
import { type CliIO, json, table, UsageError } from './output';

/** `portico admin TOOL [JSON]`: one control-plane tool, in process, through the same registry as /mcp/admin. */
export async function adminCommand(dataDir: string, positionals: string[], io: CliIO): Promise<number> {
  const registry = createAdminRegistry();
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
        `The arguments for ${tool} are not valid JSON (${(error as Error).message}). Example: portico admin ${tool} '{"key":"value"}'`,
      );
    }
  }
  if (!registry.has(tool)) {
    io.err(`Unknown admin tool "${tool}". Run \`portico admin help\` to list them.`);
    return 1;
  }
  const result = await registry.call(tool, args, openCliContext(dataDir));
  if (!result.ok) {
    io.err(result.error);
    return 1;
  }
  io.out(json(result.value));
  return 0;
}
