// A customer's curation of what its gateway shows (set_tool_overrides, configure_customer_tools'
// `naming`): hidden items, renames, titles, descriptions and annotations — per connector, for tools,
// prompts and resources. Tools apply it in toolset.ts; prompts and resources call these functions.
import type { Customer, ToolOverride } from '../store/schema';
import { assignNames, type NameConflict, type Naming } from './tool-names';

export type CuratedKind = ToolOverride['kind'];

/** Each connector's overrides by kind and name, built once per (immutable) list. */
const indexes = new WeakMap<readonly ToolOverride[], Map<string, ToolOverride>>();

function indexOf(list: readonly ToolOverride[]): Map<string, ToolOverride> {
  let index = indexes.get(list);
  if (!index) {
    index = new Map(list.map((o) => [`${o.kind}\u0000${o.name}`, o]));
    indexes.set(list, index);
  }
  return index;
}

/** The customer's override of one upstream item of a connector, if any. */
export function overrideFor(
  customer: Customer | undefined,
  connectorId: string,
  kind: CuratedKind,
  upstreamName: string,
): ToolOverride | undefined {
  const list = customer?.overrides?.[connectorId];
  return list ? indexOf(list).get(`${kind}\u0000${upstreamName}`) : undefined;
}

/** Whether the customer hid this tool, prompt or resource (it is neither listed nor callable). */
export function isHidden(
  customer: Customer | undefined,
  connectorId: string,
  kind: CuratedKind,
  upstreamName: string,
): boolean {
  return overrideFor(customer, connectorId, kind, upstreamName)?.hidden === true;
}

/** The customer's naming: `prefixed` (`<slug>__<name>`, the default) or `bare`. */
export const namingOf = (customer: Customer | undefined): Naming => customer?.exposure.naming ?? 'prefixed';

export interface CurationItem {
  connectorId: string;
  slug: string;
  /** The item's name (an action's or prompt's): what overrides name, and the prefixed form's tail. */
  name: string;
  /** The upstream's own name, for bare naming, when it differs from `name`. */
  bare?: string | undefined;
}

/**
 * The names a customer's agents see for a list of tools or prompts, in the list's order (sort it
 * deterministically first, e.g. by slug then name): `undefined` for a hidden item. Applies the
 * customer's renames and naming (tool-names.ts's assignNames). `conflicts` index into `items`.
 */
export function curatedNames(
  customer: Customer | undefined,
  kind: Exclude<CuratedKind, 'resource'>,
  items: readonly CurationItem[],
): { names: (string | undefined)[]; conflicts: NameConflict[] } {
  const shown: number[] = [];
  const requests = [];
  for (const [i, item] of items.entries()) {
    const override = overrideFor(customer, item.connectorId, kind, item.name);
    if (override?.hidden) continue;
    shown.push(i);
    requests.push({
      slug: item.slug,
      name: item.name,
      bare: item.bare ?? item.name,
      rename: override?.rename,
    });
  }
  const { names, conflicts } = assignNames(requests, namingOf(customer));
  const out: (string | undefined)[] = new Array(items.length).fill(undefined);
  shown.forEach((itemIndex, j) => {
    out[itemIndex] = names[j];
  });
  return {
    names: out,
    conflicts: conflicts.map((c) => ({
      ...c,
      index: shown[c.index] as number,
      other: shown[c.other] as number,
    })),
  };
}

/** The name a customer's agents see for one item, computed among `items` (see curatedNames). */
export function curatedName(
  customer: Customer | undefined,
  kind: Exclude<CuratedKind, 'resource'>,
  items: readonly CurationItem[],
  index: number,
): string | undefined {
  return curatedNames(customer, kind, items).names[index];
}
