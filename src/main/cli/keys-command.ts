import { parseArgs } from 'node:util';
import type { RegistryClient, ToolInput, ToolName, ToolOutput } from '../core/admin';
import { type CliTarget, openCliRegistry } from './context';
import { type CliIO, json, table, UsageError } from './output';

/** `portico keys create|list|revoke`, each through the admin registry (the server's when one runs). */
export async function keysCommand(
  target: Omit<CliTarget, 'readOnly'>,
  argv: string[],
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  const [sub, ...rest] = argv;
  const session = await openCliRegistry({ ...target, readOnly: sub === 'list' });
  try {
    return await keys(session.client, sub, rest, asJson, io);
  } finally {
    await session.close();
  }
}

async function keys(
  client: RegistryClient,
  sub: string | undefined,
  rest: string[],
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  const run = async <N extends ToolName>(tool: N, args: ToolInput<N>): Promise<ToolOutput<N>> => {
    const result = await client.call(tool, args);
    if (!result.ok) throw new UsageError(result.error);
    return result.value;
  };
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: {
          name: { type: 'string' },
          scope: { type: 'string' },
          customer: { type: 'string', multiple: true },
        },
        strict: true,
      });
      if (!values.name || !values.scope) {
        throw new UsageError('Usage: portico keys create --name NAME --scope admin|gateway [--customer ID]…');
      }
      if (values.scope !== 'admin' && values.scope !== 'gateway')
        throw new UsageError(`--scope is "admin" or "gateway", not "${values.scope}".`);
      const key = await run('create_api_key', {
        name: values.name,
        scope: values.scope,
        ...(values.customer ? { customers: values.customer } : {}),
      });
      if (asJson) {
        io.out(json({ id: key.id, key: key.key, scope: key.scope, customers: key.customers }));
      } else {
        const reach =
          key.scope === 'admin'
            ? '/mcp/admin'
            : `/mcp/gateway${key.customers ? ` for ${key.customers.join(', ')}` : ''}`;
        io.out(
          `Created ${key.scope} key "${key.name}" (id ${key.id}) for ${reach}.\nCopy it now — it is shown only once:\n\n  ${key.key}\n`,
        );
      }
      return 0;
    }
    case 'list': {
      const { values } = parseArgs({ args: rest, options: { all: { type: 'boolean' } }, strict: true });
      const { keys } = await run('list_api_keys', { include_revoked: Boolean(values.all), limit: 500 });
      if (asJson) io.out(json(keys));
      else if (keys.length === 0)
        io.out('No API keys. Create one with: portico keys create --name NAME --scope admin');
      else {
        io.out(
          table(
            ['ID', 'NAME', 'SCOPE', 'CUSTOMERS', 'LAST USED', 'REVOKED'],
            keys.map((k) => [
              k.id,
              k.name,
              k.scope,
              k.customers?.join(',') ?? 'all',
              k.last_used_at ?? 'never',
              k.revoked_at ?? '',
            ]),
          ),
        );
      }
      return 0;
    }
    case 'revoke': {
      const id = rest[0];
      if (!id) throw new UsageError('Usage: portico keys revoke KEY_ID');
      const key = await run('revoke_api_key', { key_id: id });
      io.out(asJson ? json(key) : `Revoked key ${key.id} ("${key.name}"). It no longer works.`);
      return 0;
    }
    default:
      throw new UsageError('Usage: portico keys create|list|revoke …');
  }
}
