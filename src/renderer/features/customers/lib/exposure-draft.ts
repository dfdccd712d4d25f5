// The exposure editor's draft: what configure_customer_tools will receive. Pure, so the editor's
// components only read and replace it.
import type { ToolInput, ToolOutput } from '../../../../shared/registry';

export type Exposure = ToolOutput<'get_customer'>['exposure'];
export type ToolMode = Exposure['tool_mode'];

export interface ExposureDraft {
  mode: Exposure['mode'];
  /** With mode "selected": the connectors to expose. */
  connectorIds: ReadonlySet<string>;
  /** Per connector: only these actions; a connector absent here exposes all its enabled actions. */
  actions: Readonly<Record<string, readonly string[]>>;
  toolMode: ToolMode;
}

export function draftFrom(exposure: Exposure): ExposureDraft {
  return {
    mode: exposure.mode,
    connectorIds: new Set(exposure.connector_ids),
    actions: { ...exposure.actions },
    toolMode: exposure.tool_mode,
  };
}

export function toggleConnector(draft: ExposureDraft, id: string, on: boolean): ExposureDraft {
  const ids = new Set(draft.connectorIds);
  if (on) ids.add(id);
  else ids.delete(id);
  return { ...draft, connectorIds: ids };
}

/** `names` undefined: every enabled action of the connector. */
export function setActions(
  draft: ExposureDraft,
  id: string,
  names: readonly string[] | undefined,
): ExposureDraft {
  const actions = { ...draft.actions };
  if (names) actions[id] = names;
  else delete actions[id];
  return { ...draft, actions };
}

export function toggleAction(draft: ExposureDraft, id: string, name: string, on: boolean): ExposureDraft {
  const current = new Set(draft.actions[id] ?? []);
  if (on) current.add(name);
  else current.delete(name);
  return setActions(draft, id, [...current].sort());
}

/** The configure_customer_tools input. Actions are always sent: the registry keeps the old list otherwise. */
export function configureInput(
  customerId: string,
  draft: ExposureDraft,
): ToolInput<'configure_customer_tools'> {
  const selected = [...draft.connectorIds].sort();
  // A "selected" connector's allow-list only matters while it is selected; with "all" every list stays.
  const actions = Object.fromEntries(
    Object.entries(draft.actions)
      .filter(([id]) => draft.mode === 'all' || draft.connectorIds.has(id))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, names]) => [id, [...names].sort()]),
  );
  return {
    customer_id: customerId,
    mode: draft.mode,
    ...(draft.mode === 'selected' ? { connector_ids: selected } : {}),
    actions,
    tool_mode: draft.toolMode,
  };
}

/** Whether the draft differs from what is saved. */
export function isDirty(draft: ExposureDraft, saved: Exposure): boolean {
  const a = configureInput('', draft);
  const b = configureInput('', draftFrom(saved));
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** One line for the customer page, e.g. "Selected: github, stripe (2 of stripe's actions) · tool mode auto". */
export function describeExposure(exposure: Exposure, names: ReadonlyMap<string, string>): string {
  const name = (id: string) => names.get(id) ?? id;
  const restricted = Object.entries(exposure.actions);
  const restrictions = restricted.length
    ? ` — only some actions of ${restricted.map(([id, list]) => `${name(id)} (${list.length})`).join(', ')}`
    : '';
  const which =
    exposure.mode === 'all'
      ? 'All connectors the customer has a connection for'
      : exposure.connector_ids.length
        ? `Selected only: ${exposure.connector_ids.map(name).join(', ')}`
        : 'Selected only: no connector selected';
  return `${which}${restrictions}`;
}
