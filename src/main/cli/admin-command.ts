import { adminRegistry } from '../core/admin';
import { adminArgs } from './admin-args';
import { type CliTarget, openCliRegistry } from './context';
import { type CliIO, json, table } from './output';

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
  const args = adminArgs(tool, rawArgs);
  if (!registry.has(tool)) {
    io.err(`Unknown admin tool "${tool}". Run \`portico admin help\` to list them.`);
    return 1;
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
