// Handlers of the pinned-tool-definition tools; their contracts are in src/shared/admin/tool-pinning.ts.
// Pinning itself happens as upstream tools become actions (toolsToActions in mcp-upstream.ts).
import * as contracts from '../../../shared/admin/tool-pinning';
import { approvedAction } from '../connectors/mcp-upstream';
import { now } from './common';
import { implement, ToolError } from './registry';

const noConnector = (id: string) =>
  new ToolError(`No connector with id "${id}". Use list_connectors to see the ids.`);

const listToolChanges = implement(contracts.listToolChanges, ({ connector_id }, { store }) => {
  const ws = store.data;
  if (connector_id !== undefined && !ws.connectors[connector_id]) throw noConnector(connector_id);
  const connectors = Object.values(ws.connectors)
    .filter((c) => connector_id === undefined || c.id === connector_id)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const changes = connectors.flatMap((c) =>
    c.actions.flatMap((a) => {
      const change = a.pendingChange;
      if (!change) return [];
      const { id, at, before, after, findings } = change;
      return [{ id, connector_id: c.id, tool: a.name, at, before, after, findings }];
    }),
  );
  return { changes };
});

const approveToolChanges = implement(
  contracts.approveToolChanges,
  ({ change_ids, connector_id }, { store }) => {
    if (!change_ids && connector_id === undefined)
      throw new ToolError('Name the changes: `change_ids` (from list_tool_changes) and/or `connector_id`.');
    return store.mutate((ws) => {
      if (connector_id !== undefined && !ws.connectors[connector_id]) throw noConnector(connector_id);
      const wanted = change_ids ? new Set(change_ids) : undefined;
      const approved: { id: string; connector_id: string; tool: string }[] = [];
      for (const c of Object.values(ws.connectors)) {
        if (connector_id !== undefined && c.id !== connector_id) continue;
        if (!c.actions.some((a) => a.pendingChange && (!wanted || wanted.has(a.pendingChange.id)))) continue;
        c.actions = c.actions.map((a) => {
          const id = a.pendingChange?.id;
          if (!id || (wanted && !wanted.has(id))) return a;
          approved.push({ id, connector_id: c.id, tool: a.name });
          return approvedAction(a);
        });
        c.updatedAt = now();
      }
      const missing = [...(wanted ?? [])].filter((id) => !approved.some((x) => x.id === id));
      if (missing.length)
        throw new ToolError(
          `No pending tool change with id ${missing.map((id) => `"${id}"`).join(', ')}${connector_id ? ` on connector "${connector_id}"` : ''}. Use list_tool_changes to see them.`,
        );
      return {
        approved,
        message: approved.length
          ? `Approved ${approved.length} change(s): ${approved.map((x) => `${x.connector_id}/${x.tool}`).join(', ')}. The tools are back for customers.`
          : 'No pending tool changes.',
      };
    });
  },
);

export const toolPinningTools = [listToolChanges, approveToolChanges] as const;
