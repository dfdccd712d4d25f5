// Contracts of the approval tools (governance): a customer's policy, and the calls waiting for a
// person's decision. Handlers in src/main/core/admin/approvals.ts.
import { z } from 'zod';
import { contract } from './contract';

export const APPROVAL_POLICIES = ['never', 'destructive', 'always'] as const;
export const approvalPolicy = z
  .enum(APPROVAL_POLICIES)
  .describe(
    '"never" (calls run at once), "destructive" (calls of tools annotated destructiveHint wait for a decision) or "always" (every call waits).',
  );

/** How long a call waits for a decision before it is denied, when the customer sets nothing. */
export const DEFAULT_APPROVAL_TIMEOUT_S = 120;

export const approvalPolicyOutput = z.object({
  policy: z.enum(APPROVAL_POLICIES).describe("The customer's policy for tools without their own."),
  actions: z
    .array(
      z.object({
        connector_id: z.string(),
        action: z.string(),
        policy: z.enum(APPROVAL_POLICIES),
      }),
    )
    .describe("Tools with their own policy (an 'always allow' decision sets one to never)."),
  timeout_s: z.number().int().describe('Seconds a call waits for a decision before it is denied.'),
});

export const approvalStatus = z
  .enum(['pending', 'allowed', 'denied', 'expired'])
  .describe('"pending" (waiting), "allowed", "denied" (by a person) or "expired" (no decision in time).');

export const approvalRecord = z.object({
  id: z.string().describe('The approval id, for decide_approval.'),
  customer_id: z.string(),
  tool: z.string().describe('The tool name the agent called.'),
  connector_id: z.string(),
  action: z.string(),
  arguments: z.record(z.string(), z.unknown()).describe("The call's arguments, connection secrets masked."),
  status: approvalStatus,
  created_at: z.string(),
  expires_at: z.string().describe('When a pending approval is denied for lack of a decision.'),
  decided_at: z.string().optional(),
  decided_by: z
    .string()
    .optional()
    .describe(
      'Where the decision came from: "mcp" (the person in the AI client), "api" (web UI), "ipc" (desktop window), "tray", "cli", or "internal" (timeout, shutdown).',
    ),
  remember: z
    .enum(['session', 'always'])
    .optional()
    .describe(
      '"session": later calls of this tool in the same MCP session run at once; "always": the tool no longer needs approval for this customer.',
    ),
  reason: z.string().optional().describe('Why it ended as it did, in words.'),
});

export const setApprovalPolicy = contract({
  name: 'set_approval_policy',
  title: 'Set approval policy',
  description:
    "Which of a customer's tool calls wait for a person's approval: policy never (default), destructive (tools annotated destructiveHint) or always; " +
    'per-tool exceptions in `actions` (policy null removes one); timeout_s: how long a call waits before it is denied (default 120). ' +
    'A waiting call is shown in the desktop app, the web UI, list_approvals and `portico approvals`, and asked in the AI client when it supports elicitation.',
  input: z.strictObject({
    customer_id: z.string().describe('The customer (see list_customers).'),
    policy: approvalPolicy.optional().describe('The policy for tools without their own; omitted: unchanged.'),
    actions: z
      .array(
        z.strictObject({
          connector_id: z.string(),
          action: z.string().describe("The action's name (list_actions)."),
          policy: z
            .enum(APPROVAL_POLICIES)
            .nullable()
            .describe("This tool's policy; null: back to the customer's."),
        }),
      )
      .optional(),
    timeout_s: z
      .number()
      .int()
      .min(5)
      .max(3600)
      .optional()
      .describe('Seconds a call waits for a decision (5-3600, default 120).'),
  }),
  output: approvalPolicyOutput.extend({
    customer_id: z.string(),
    message: z.string().describe('What was done.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
});

export const listApprovals = contract({
  name: 'list_approvals',
  title: 'List approvals',
  description:
    'Tool calls waiting for approval (status "pending") and recent decisions ("decided": allowed, denied or expired), newest first. Decide with decide_approval.',
  input: z.strictObject({
    status: z
      .enum(['pending', 'decided'])
      .optional()
      .describe('Only waiting calls, or only decided ones (default: both).'),
    customer_id: z.string().optional().describe('Only this customer.'),
  }),
  output: z.object({ approvals: z.array(approvalRecord) }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const decideApproval = contract({
  name: 'decide_approval',
  title: 'Decide approval',
  description:
    'Allow or deny a waiting tool call (list_approvals). The first decision wins: a call already decided (or expired) is not changed. ' +
    'remember "session" allows later calls of the same tool in the same MCP session; "always" stops asking for this tool for this customer.',
  input: z.strictObject({
    approval_id: z.string().describe('The approval (list_approvals).'),
    decision: z.enum(['allow', 'deny']),
    remember: z.enum(['session', 'always']).optional().describe('Only with "allow".'),
  }),
  output: z.object({ approval: approvalRecord, message: z.string().describe('What was done.') }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
});

export const approvalContracts = [setApprovalPolicy, listApprovals, decideApproval] as const;
