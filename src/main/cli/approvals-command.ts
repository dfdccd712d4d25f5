import { parseArgs } from 'node:util';
import type { ToolOutput } from '../core/admin';
import { type CliTarget, openCliRegistry } from './context';
import { type CliIO, json, table, UsageError } from './output';

const USAGE =
  'Usage: portico approvals [list [--all] [--customer ID]] | allow ID [--session | --always] | deny ID';

type Approval = ToolOutput<'list_approvals'>['approvals'][number];

const args = (a: Record<string, unknown>) => {
  const text = JSON.stringify(a);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

function listing(approvals: Approval[], all: boolean): string {
  if (!approvals.length)
    return all
      ? 'No approvals yet.'
      : 'No calls are waiting for approval. (Approvals are asked for customers with an approval policy: portico admin set_approval_policy.)';
  const left = (a: Approval) =>
    `${Math.max(0, Math.round((Date.parse(a.expires_at) - Date.now()) / 1000))} s`;
  return table(
    ['ID', 'CUSTOMER', 'TOOL', 'STATUS', all ? 'DECIDED BY' : 'TIME LEFT', 'ARGUMENTS'],
    approvals.map((a) => [
      a.id,
      a.customer_id,
      a.tool,
      a.status,
      all ? (a.decided_by ?? '') : left(a),
      args(a.arguments),
    ]),
  );
}

/**
 * `portico approvals [list|allow ID|deny ID]`: the calls waiting for a decision, through the running
 * server (the calls wait there; with none running, nothing waits).
 */
export async function approvalsCommand(
  target: Omit<CliTarget, 'readOnly'>,
  argv: string[],
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  const [sub = 'list', ...rest] = argv;
  if (!['list', 'allow', 'deny'].includes(sub))
    throw new UsageError(`Unknown approvals command "${sub}".\n${USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      all: { type: 'boolean', default: false },
      customer: { type: 'string' },
      session: { type: 'boolean', default: false },
      always: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (sub === 'list' ? positionals.length > 0 : positionals.length !== 1) throw new UsageError(USAGE);
  if (values.session && values.always) throw new UsageError('Pass --session or --always, not both.');
  if (sub !== 'allow' && (values.session || values.always))
    throw new UsageError('--session and --always go with `allow` only.');
  const session = await openCliRegistry({ ...target, readOnly: sub === 'list' });
  try {
    if (session.via === 'direct') {
      const message =
        'No Portico server is running for this data dir, so no call is waiting for approval (calls wait in the running server: `portico serve` or the desktop app).';
      if (sub === 'list') {
        io.out(asJson ? json({ approvals: [] }) : message);
        return 0;
      }
      io.err(message);
      return 1;
    }
    if (sub === 'list') {
      const result = await session.client.call('list_approvals', {
        ...(values.all ? {} : { status: 'pending' }),
        ...(values.customer ? { customer_id: values.customer } : {}),
      });
      if (!result.ok) {
        io.err(result.error);
        return 1;
      }
      io.out(asJson ? json(result.value) : listing(result.value.approvals, values.all === true));
      return 0;
    }
    const remember = values.session ? 'session' : values.always ? 'always' : undefined;
    const result = await session.client.call('decide_approval', {
      approval_id: positionals[0] ?? '',
      decision: sub === 'allow' ? 'allow' : 'deny',
      ...(remember ? { remember } : {}),
    });
    if (!result.ok) {
      io.err(result.error);
      return 1;
    }
    io.out(asJson ? json(result.value) : result.value.message);
    return 0;
  } finally {
    await session.close();
  }
}
