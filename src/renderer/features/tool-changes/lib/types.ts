import type { ToolOutput } from '../../../../shared/registry';

export type ToolChange = ToolOutput<'list_tool_changes'>['changes'][number];

/** Changes grouped by connector, in the order they came (oldest connector first). */
export function byConnector(changes: ToolChange[]): [string, ToolChange[]][] {
  const groups = new Map<string, ToolChange[]>();
  for (const c of changes) groups.set(c.connector_id, [...(groups.get(c.connector_id) ?? []), c]);
  return [...groups];
}
