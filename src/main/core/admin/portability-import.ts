import { z } from 'zod';
import type { ImportCounts } from '../../../shared/admin/portability';
import { sortKeys, WORKSPACE_FILE_VERSION } from '../../../shared/admin/portability';
import { connectionsOfCustomer } from '../store/indexes';
import {
  type AuthConfig,
  authConfigSchema,
  type Connection,
  type Connector,
  type Customer,
  connectionSchema,
  connectorSchema,
  customerSchema,
  type Webhook,
  type Workspace,
  webhookSchema,
} from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { generateSecret } from '../webhooks/signing';
import { decryptSecrets, type PlainSecrets, sealedBlockSchema } from './portability-secrets';
import { type AdminContext, ToolError } from './registry';

/**
 * import_workspace: the whole document is checked first (version, every record's shape, the
 * references between records, the passphrase), every record to write is built, and only then is
 * everything applied in one store mutation — a failure anywhere applies nothing.
 */

const recordList = z.array(z.record(z.string(), z.unknown()));
const documentSchema = z.looseObject({
  portico_workspace: z.number(),
  exported_at: z.string().nullable().optional(),
  customer_id: z.string().nullable().optional(),
  connectors: recordList.default([]),
  auth_configs: recordList.default([]),
  customers: recordList.default([]),
  webhooks: recordList.default([]),
  connections: recordList.default([]),
  secrets: z
    .union([
      z.looseObject({ included: z.literal(false), left_out: z.array(z.string()).default([]) }),
      sealedBlockSchema,
    ])
    .optional(),
});

/** Stands in for a sealed field while a record's shape is checked. */
const PLACEHOLDER = 'v1:placeholder';
const KINDS = ['connectors', 'auth_configs', 'customers', 'webhooks', 'connections'] as const;
type Kind = (typeof KINDS)[number];
type Outcome = 'added' | 'changed' | 'skipped';
const zero = (): ImportCounts => ({
  connectors: 0,
  auth_configs: 0,
  customers: 0,
  webhooks: 0,
  connections: 0,
});

/** A record without its secrets, as canonical text: two records are the same when these are equal. */
const publicText = (record: object, secretFields: string[]): string => {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(record));
  for (const f of secretFields) delete copy[f];
  if (copy.oauth2 && typeof copy.oauth2 === 'object')
    delete (copy.oauth2 as Record<string, unknown>).clientSecret;
  return JSON.stringify(sortKeys(copy));
};
const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));

function without(record: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const copy = { ...record };
  for (const f of fields) delete copy[f];
  return copy;
}

interface Planned<T> {
  id: string;
  record: T;
  outcome: Outcome;
}

class Problems {
  readonly list: string[] = [];
  add(message: string) {
    if (this.list.length < 20) this.list.push(message);
  }
  parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T | undefined {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues.slice(0, 3))
      this.add(`${where}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
    return undefined;
  }
  throwIfAny() {
    if (this.list.length)
      throw new ToolError(
        `This file cannot be imported; nothing was changed. ${this.list.join('; ')}${this.list.length >= 20 ? '; …' : ''}.`,
      );
  }
}

const label = (kind: Kind, index: number, record: Record<string, unknown>) => {
  const id = record.id ?? record.connectorId;
  return `${kind}[${index}]${typeof id === 'string' ? ` ("${id}")` : ''}`;
};

function openOr(store: WorkspaceStore, sealed: string | undefined, context: string): unknown {
  if (!sealed) return undefined;
  try {
    return store.secrets.open(sealed, context);
  } catch {
    return Symbol('unreadable');
  }
}

/** The document parsed and checked, with its secrets opened. */
function readDocument(input: { document: Record<string, unknown>; passphrase?: string }) {
  const version = input.document.portico_workspace;
  if (version === undefined)
    throw new ToolError(
      'This is not a Portico workspace export (it has no "portico_workspace" field). Nothing was imported.',
    );
  if (version !== WORKSPACE_FILE_VERSION)
    throw new ToolError(
      `This file is a version ${JSON.stringify(version)} workspace export; this Portico reads version ${WORKSPACE_FILE_VERSION}. Nothing was imported.`,
    );
  const problems = new Problems();
  const doc = problems.parse(documentSchema, input.document, 'document');
  problems.throwIfAny();
  if (!doc) throw new ToolError('This file cannot be imported.');
  let secrets: PlainSecrets | undefined;
  if (doc.secrets?.included === true) {
    if (!input.passphrase)
      throw new ToolError(
        'This file holds encrypted secrets: give the passphrase used for the export (`passphrase`; for `portico import`, env PORTICO_EXPORT_PASSPHRASE). Nothing was imported.',
      );
    secrets = decryptSecrets(doc.secrets, input.passphrase);
  } else if (doc.connections.length) {
    throw new ToolError(
      'This file lists connections but no encrypted secrets block to hold their credentials; export again with include_secrets. Nothing was imported.',
    );
  }
  return { doc, secrets, leftOut: doc.secrets?.included === false ? doc.secrets.left_out : [] };
}

export function importDocument(
  ctx: AdminContext,
  input: { document: Record<string, unknown>; dry_run: boolean; passphrase?: string },
) {
  const { store } = ctx;
  const { doc, secrets, leftOut } = readDocument(input);
  const ws = store.data;
  const problems = new Problems();
  const seen = new Map<Kind, Set<string>>(KINDS.map((k) => [k, new Set()]));
  const firstSeen = (kind: Kind, id: string, where: string) => {
    const ids = seen.get(kind) ?? new Set();
    if (ids.has(id)) problems.add(`${where}: the id "${id}" appears twice in the file`);
    ids.add(id);
  };
  const has = <T>(map: Record<string, T>, id: string) => Object.hasOwn(map, id);
  const notes: string[] = [];

  // 1. Shapes, checked with the store's own record schemas (fields added to them come along).
  const connectors: Connector[] = [];
  doc.connectors.forEach((raw, i) => {
    const where = label('connectors', i, raw);
    const c = problems.parse(connectorSchema, without(raw, ['env', 'headers']), where);
    if (c) {
      firstSeen('connectors', c.id, where);
      connectors.push(c);
    }
  });
  const auths: AuthConfig[] = [];
  doc.auth_configs.forEach((raw, i) => {
    const where = label('auth_configs', i, raw);
    const oauth2 =
      raw.oauth2 && typeof raw.oauth2 === 'object'
        ? without({ ...raw.oauth2 }, ['clientSecret'])
        : raw.oauth2;
    const a = problems.parse(authConfigSchema, { ...raw, ...(oauth2 ? { oauth2 } : {}) }, where);
    if (a) {
      firstSeen('auth_configs', a.connectorId, where);
      auths.push(a);
    }
  });
  const customers: Customer[] = [];
  doc.customers.forEach((raw, i) => {
    const where = label('customers', i, raw);
    const c = problems.parse(customerSchema, raw, where);
    if (c) {
      firstSeen('customers', c.id, where);
      customers.push(c);
    }
  });
  const webhooks: Webhook[] = [];
  doc.webhooks.forEach((raw, i) => {
    const where = label('webhooks', i, raw);
    const w = problems.parse(webhookSchema, { ...raw, secret: PLACEHOLDER }, where);
    if (w) {
      firstSeen('webhooks', w.id, where);
      webhooks.push(w);
    }
  });
  const connections: Connection[] = [];
  doc.connections.forEach((raw, i) => {
    const where = label('connections', i, raw);
    const c = problems.parse(connectionSchema, { ...raw, credentials: PLACEHOLDER }, where);
    if (c) {
      firstSeen('connections', c.id, where);
      connections.push(c);
      if (!secrets || !has(secrets.connections, c.id))
        problems.add(`${where}: its credentials are missing from the secrets block`);
    }
  });
  problems.throwIfAny();

  // 2. References: to records in the file or already in this workspace.
  const docConnectors = new Map(connectors.map((c) => [c.id, c]));
  const connectorKnown = (id: string) => docConnectors.has(id) || has(ws.connectors, id);
  const customerIds = new Set(customers.map((c) => c.id));
  const slugs = new Map<string, string>();
  for (const c of connectors) {
    const other = slugs.get(c.slug);
    if (other) problems.add(`connectors "${other}" and "${c.id}" have the same slug "${c.slug}"`);
    slugs.set(c.slug, c.id);
    const clash = Object.values(ws.connectors).find((e) => e.slug === c.slug && e.id !== c.id);
    if (clash)
      problems.add(
        `connector "${c.id}": this workspace's connector "${clash.id}" already has the slug "${c.slug}"`,
      );
  }
  for (const a of auths)
    if (!connectorKnown(a.connectorId))
      problems.add(`auth config for "${a.connectorId}": no such connector in the file or this workspace`);
  for (const c of customers) {
    for (const id of [...c.exposure.connectorIds, ...Object.keys(c.exposure.actions)])
      if (!connectorKnown(id))
        problems.add(
          `customer "${c.id}": its exposure names connector "${id}", which is neither in the file nor in this workspace`,
        );
  }
  for (const c of connections) {
    if (!customerIds.has(c.customerId) && !has(ws.customers, c.customerId))
      problems.add(`connection "${c.id}": no customer "${c.customerId}" in the file or this workspace`);
    if (!connectorKnown(c.connectorId))
      problems.add(`connection "${c.id}": no connector "${c.connectorId}" in the file or this workspace`);
    const clash = connectionsOfCustomer(ws, c.customerId).find(
      (e) => e.connectorId === c.connectorId && e.id !== c.id,
    );
    if (clash)
      problems.add(
        `connection "${c.id}": customer "${c.customerId}" already has connection "${clash.id}" for connector "${c.connectorId}" here; delete it first (delete_connection)`,
      );
  }
  problems.throwIfAny();

  // 3. The records to write, secrets sealed with this workspace's key.
  const outcome = (
    existing: object | undefined,
    record: object,
    fields: string[],
    secretSame: boolean,
  ): Outcome =>
    !existing
      ? 'added'
      : secretSame && publicText(existing, fields) === publicText(record, fields)
        ? 'skipped'
        : 'changed';
  const plan = {
    connectors: [] as Planned<Connector>[],
    auth_configs: [] as Planned<AuthConfig>[],
    customers: [] as Planned<Customer>[],
    webhooks: [] as Planned<Webhook>[],
    connections: [] as Planned<Connection>[],
  };
  for (const c of connectors) {
    const existing = has(ws.connectors, c.id) ? ws.connectors[c.id] : undefined;
    let record: Connector = c;
    let secretSame = true;
    if (c.kind === 'mcp') {
      const field = c.transport === 'stdio' ? 'env' : 'headers';
      const context = `connector:${c.id}:${field}`;
      const given = secrets?.[c.transport === 'stdio' ? 'connector_env' : 'connector_headers'];
      const before =
        existing?.kind === 'mcp' && existing.transport === c.transport
          ? existing.transport === 'stdio'
            ? existing.env
            : existing.headers
          : undefined;
      let sealed = before;
      if (given && has(given, c.id)) {
        const value = given[c.id];
        secretSame = same(openOr(store, before, context), value);
        if (!secretSame) sealed = store.secrets.seal(value, context);
      }
      record = { ...c, [field]: sealed } as Connector;
      const keys = c.transport === 'stdio' ? c.envKeys : c.headerKeys;
      if (!sealed && keys.length)
        notes.push(
          `connector ${c.id}: its ${field} (${keys.join(', ')}) was not in the file; set it with update_connector.`,
        );
    }
    plan.connectors.push({
      id: c.id,
      record,
      outcome: outcome(existing, record, ['env', 'headers'], secretSame),
    });
  }
  for (const a of auths) {
    const existing = has(ws.authConfigs, a.connectorId) ? ws.authConfigs[a.connectorId] : undefined;
    let record = a;
    let secretSame = true;
    if (a.oauth2) {
      const context = `auth:${a.connectorId}`;
      const before = existing?.oauth2?.clientSecret;
      let sealed = before;
      if (secrets && has(secrets.auth_configs, a.connectorId)) {
        const value = secrets.auth_configs[a.connectorId];
        secretSame = same(openOr(store, before, context), value);
        if (!secretSame) sealed = store.secrets.seal(value, context);
      }
      record = { ...a, oauth2: { ...a.oauth2, ...(sealed ? { clientSecret: sealed } : {}) } };
    }
    plan.auth_configs.push({ id: a.connectorId, record, outcome: outcome(existing, record, [], secretSame) });
  }
  for (const c of customers) {
    const existing = has(ws.customers, c.id) ? ws.customers[c.id] : undefined;
    plan.customers.push({ id: c.id, record: c, outcome: outcome(existing, c, [], true) });
  }
  for (const w of webhooks) {
    const existing = has(ws.webhooks, w.id) ? ws.webhooks[w.id] : undefined;
    const context = `webhook:${w.id}`;
    let sealed = existing?.secret;
    let secretSame = true;
    if (secrets && has(secrets.webhooks, w.id)) {
      const value = secrets.webhooks[w.id];
      secretSame = same(openOr(store, sealed, context), value);
      if (!secretSame) sealed = store.secrets.seal(value, context);
    }
    if (!sealed) {
      sealed = store.secrets.seal(generateSecret(), context);
      notes.push(
        `webhook ${w.id}: the file has no signing secret, so it got a new one; see it with update_webhook {webhook_id: "${w.id}", rotate_secret: true}.`,
      );
    }
    const record = { ...w, secret: sealed };
    plan.webhooks.push({ id: w.id, record, outcome: outcome(existing, record, ['secret'], secretSame) });
  }
  for (const c of connections) {
    const existing = has(ws.connections, c.id) ? ws.connections[c.id] : undefined;
    const context = `connection:${c.id}`;
    const value = secrets?.connections[c.id];
    const secretSame = same(openOr(store, existing?.credentials, context), value);
    const record = {
      ...c,
      credentials: secretSame && existing ? existing.credentials : store.secrets.seal(value, context),
    };
    plan.connections.push({
      id: c.id,
      record,
      outcome: outcome(existing, record, ['credentials'], secretSame),
    });
  }
  if (leftOut.length)
    notes.push(
      `The file left out ${leftOut.length} secret(s); the ones this workspace already had are kept: ${leftOut.slice(0, 10).join('; ')}${leftOut.length > 10 ? '; …' : ''}.`,
    );

  const report = { dry_run: input.dry_run, added: zero(), changed: zero(), skipped: zero(), notes };
  for (const kind of KINDS) for (const p of plan[kind]) report[p.outcome][kind] += 1;
  if (input.dry_run) return report;

  // 4. Everything in one mutation: the store validates it all, and a failure applies nothing.
  const write = <T>(target: Record<string, T>, planned: Planned<T>[]) => {
    for (const p of planned) if (p.outcome !== 'skipped') target[p.id] = p.record;
  };
  store.mutate((draft: Workspace) => {
    write(draft.connectors, plan.connectors);
    write(draft.authConfigs, plan.auth_configs);
    write(draft.customers, plan.customers);
    write(draft.webhooks, plan.webhooks);
    write(draft.connections, plan.connections);
  });
  for (const p of plan.connectors)
    if (p.outcome !== 'skipped')
      ctx.events.emit(`connector.${p.outcome === 'added' ? 'created' : 'updated'}`, { connector_id: p.id });
  for (const p of plan.customers)
    if (p.outcome !== 'skipped')
      ctx.events.emit(`customer.${p.outcome === 'added' ? 'created' : 'updated'}`, {
        customer_id: p.id,
        name: p.record.name,
      });
  for (const p of plan.connections)
    if (p.outcome !== 'skipped')
      ctx.events.emit(`connection.${p.outcome === 'added' ? 'created' : 'updated'}`, {
        connection_id: p.id,
        customer_id: p.record.customerId,
        connector_id: p.record.connectorId,
      });
  return report;
}
