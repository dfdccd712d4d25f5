import { parseArgs } from 'node:util';
import { createAdminRegistry } from '../core/admin';
import { openCliContext } from './context';
import { type CliIO, json, table, UsageError } from './output';

interface KeyView {
  id: string;
  name: string;
  scope: string;
  customers: string[] | null;
  masked: string;
  last_used_at: string | null;
  revoked_at: string | null;
  key?: string;
}

/** `portico keys create|list|revoke`, each through the admin registry. */
export async function keysCommand(
  dataDir: string,
  argv: string[],
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  const [sub, ...rest] = argv;
  const registry = createAdminRegistry();
  const ctx = openCliContext(dataDir);
  const run = async (tool: string, args: unknown) => {
    const result = await registry.call(tool, args, ctx);
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
      const key = (await run('create_api_key', {
        name: values.name,
        scope: values.scope,
        ...(values.customer ? { customers: values.customer } : {}),
      })) as unknown as KeyView;
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
      const { keys } = (await run('list_api_keys', {
        include_revoked: Boolean(values.all),
        limit: 500,
      })) as unknown as { keys: KeyView[] };
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
      const key = (await run('revoke_api_key', { key_id: id })) as unknown as KeyView;
      io.out(asJson ? json(key) : `Revoked key ${key.id} ("${key.name}"). It no longer works.`);
      return 0;
    }
    default:
      throw new UsageError('Usage: portico keys create|list|revoke …');
  }
}
