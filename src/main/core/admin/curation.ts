// Handlers of the curation tools; their contracts are in src/shared/admin/curation.ts. The
// overrides live on the customer record; the gateway applies them (gateway/curation.ts, toolset.ts).
import type { z } from 'zod';
import * as contracts from '../../../shared/admin/curation';
import type { toolOverride } from '../../../shared/admin/customers';
import { TOOL_NAME_PATTERN } from '../gateway/tool-names';
import { computeToolset } from '../gateway/toolset';
import type { Connector, Customer, ToolOverride, Workspace } from '../store/schema';
import { now } from './common';
import { requireConnector } from './connector-records';
import { requireCustomer } from './customers';
import { implement, ToolError } from './registry';

type OverrideInput = z.infer<typeof toolOverride>;

/** Edit distance, for "did you mean" (names are short). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** The known names nearest to `name`: close in spelling, or containing it (or contained in it). */
export function nearNames(name: string, known: readonly string[], max = 5): string[] {
  const lower = name.toLowerCase();
  return known
    .map((k) => {
      const kl = k.toLowerCase();
      const d = distance(lower, kl);
      const near = d <= Math.max(2, Math.floor(name.length / 3)) || kl.includes(lower) || lower.includes(kl);
      return { k, d, near };
    })
    .filter((x) => x.near)
    .sort((x, y) => x.d - y.d || (x.k < y.k ? -1 : 1))
    .slice(0, max)
    .map((x) => x.k);
}

function unknownTool(connector: Connector, name: string): ToolError {
  const known = connector.actions.map((a) => a.name);
  const near = nearNames(name, known);
  const hint = near.length
    ? `Did you mean ${near.map((n) => `"${n}"`).join(', ')}?`
    : known.length
      ? `Its tools: ${known.slice(0, 10).join(', ')}${known.length > 10 ? `, … (${known.length - 10} more)` : ''}.`
      : 'It has no tools yet (refresh_connector lists an MCP server’s tools).';
  return new ToolError(
    `Connector "${connector.id}" has no tool "${name}". ${hint} Overrides name a tool by its action name (list_actions).`,
  );
}

/** Checks one call's overrides against the connector; returns them as stored. */
function checkedOverrides(connector: Connector, overrides: readonly OverrideInput[]): ToolOverride[] {
  const seen = new Set<string>();
  const actions = new Set(connector.actions.map((a) => a.name));
  return overrides.map((o) => {
    const kind = o.kind ?? 'tool';
    const key = `${kind}\u0000${o.name}`;
    if (seen.has(key))
      throw new ToolError(
        `The ${kind} "${o.name}" is listed twice in overrides; give each ${kind} one entry with all its changes.`,
      );
    seen.add(key);
    if (kind === 'tool' && !actions.has(o.name)) throw unknownTool(connector, o.name);
    if (o.rename !== undefined) {
      if (kind === 'resource')
        throw new ToolError(
          `Resources keep their URIs and cannot be renamed ("${o.name}"); set its title or description instead.`,
        );
      if (!TOOL_NAME_PATTERN.test(o.rename))
        throw new ToolError(
          `Cannot rename ${kind} "${o.name}" to "${o.rename}": a name is 1–64 letters, digits, "_" or "-".`,
        );
    }
    return { ...o, kind };
  });
}

/** The workspace with this customer's overrides of one connector replaced (nothing saved). */
function withOverrides(ws: Workspace, customer: Customer, connectorId: string, list: ToolOverride[]) {
  const overrides: Record<string, ToolOverride[]> = Object.assign(Object.create(null), customer.overrides);
  overrides[connectorId] = list;
  const next: Customer = { ...customer, overrides };
  return { ...ws, customers: Object.assign(Object.create(null), ws.customers, { [customer.id]: next }) };
}

/** A rename of this call that another tool of the customer already holds: a clear error naming it. */
function assertNoCollision(ws: Workspace, customerId: string, connectorId: string, list: ToolOverride[]) {
  const renamed = new Set(
    list.filter((o) => o.kind === 'tool' && o.rename).map((o) => `${o.name}\u0000${o.rename}`),
  );
  const ours = (t: (typeof conflicts)[number]['tool'], name: string) =>
    t.connector.id === connectorId && renamed.has(`${t.action.name}\u0000${name}`);
  const { conflicts } = computeToolset(ws, customerId);
  const conflict = conflicts.find((c) => ours(c.tool, c.name) || ours(c.other, c.name));
  if (!conflict) return;
  const mine = ours(conflict.tool, conflict.name) ? conflict.tool : conflict.other;
  const theirs = mine === conflict.tool ? conflict.other : conflict.tool;
  throw new ToolError(
    `Cannot rename tool "${mine.action.name}" to "${conflict.name}": the customer's tool "${conflict.name}" ` +
      `(connector "${theirs.connector.id}", action "${theirs.action.name}") has that name. ` +
      'Pick another name (preview_customer_tools lists the names in use).',
  );
}

const setToolOverrides = implement(
  contracts.setToolOverrides,
  ({ customer_id, connector_id, overrides }, { store, events }) => {
    const saved = store.data;
    const customer = requireCustomer(saved, customer_id);
    const connector = requireConnector(saved, connector_id);
    const list = checkedOverrides(connector, overrides);
    assertNoCollision(withOverrides(saved, customer, connector.id, list), customer_id, connector.id, list);
    store.mutate((ws) => {
      const current = requireCustomer(ws, customer_id);
      if (list.length) {
        current.overrides ??= Object.create(null) as Record<string, ToolOverride[]>;
        current.overrides[connector.id] = list;
      } else if (current.overrides) {
        delete current.overrides[connector.id];
        if (!Object.keys(current.overrides).length) delete current.overrides;
      }
      current.updatedAt = now();
    });
    events.emit('customer.updated', { customer_id, connector_id: connector.id, overrides: list.length });
    const toolset = computeToolset(store.data, customer_id);
    const tools = toolset.tools
      .filter((t) => t.connector.id === connector.id)
      .map((t) => ({ name: t.name, action: t.action.name }));
    const hidden = toolset.hidden.filter((h) => h.connector.id === connector.id).map((h) => h.action.name);
    return {
      customer_id,
      connector_id: connector.id,
      overrides: list,
      tools,
      hidden,
      message: list.length
        ? `Set ${list.length} override(s) of connector "${connector.id}" for customer "${customer_id}".`
        : `Cleared the overrides of connector "${connector.id}" for customer "${customer_id}".`,
    };
  },
);

export const curationTools = [setToolOverrides] as const;
