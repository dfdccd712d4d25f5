// Contracts of the pinned-tool-definition tools (governance); handlers in
// src/main/core/admin/tool-pinning.ts.
import { z } from 'zod';
import { contract } from './contract';

export const toolFinding = z.object({
  kind: z
    .string()
    .describe(
      '"hidden_unicode" (tag, zero-width or bidi characters) or "instruction" (text aimed at the model).',
    ),
  detail: z.string(),
});

export const toolChange = z.object({
  id: z.string().describe('The change id, for approve_tool_changes.'),
  connector_id: z.string(),
  tool: z.string().describe("The action's name."),
  at: z.string().describe('When the change was seen (ISO time).'),
  before: z.record(z.string(), z.unknown()).describe('The approved definition (served before the change).'),
  after: z.record(z.string(), z.unknown()).describe("The upstream's new definition."),
  findings: z.array(toolFinding).describe('What the scan of the new definition flagged.'),
});

export const listToolChanges = contract({
  name: 'list_tool_changes',
  title: 'List tool changes',
  description:
    'Upstream MCP tools whose definition (description, schemas, annotations) changed since it was approved. ' +
    'Each changed tool is held back from customers until approve_tool_changes (unless its connector has trust_updates); ' +
    'findings flag hidden Unicode and instruction-like text in the new definition.',
  input: z.strictObject({
    connector_id: z.string().optional().describe('Only this connector (default: all).'),
  }),
  output: z.object({ changes: z.array(toolChange) }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const approveToolChanges = contract({
  name: 'approve_tool_changes',
  title: 'Approve tool changes',
  description:
    'Accept held upstream tool changes (by id from list_tool_changes, or every change of one connector): ' +
    'the new definition becomes the pinned one and the tool returns to customers.',
  input: z.strictObject({
    change_ids: z.array(z.string()).min(1).optional().describe('The changes to approve (list_tool_changes).'),
    connector_id: z
      .string()
      .optional()
      .describe("Approve this connector's changes (all, or those in change_ids)."),
  }),
  output: z.object({
    approved: z.array(z.object({ id: z.string(), connector_id: z.string(), tool: z.string() })),
    message: z.string().describe('What was done.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
});

export const toolPinningContracts = [listToolChanges, approveToolChanges] as const;
