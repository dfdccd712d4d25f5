// Handlers of the approval tools; contracts in src/shared/admin/approvals.ts. Waiting calls live
// in the server that holds them (gateway/approvals.ts); the CLI reaches them through that server.
import type { z } from 'zod';
import * as contracts from '../../../shared/admin/approvals';
import { ApprovalError, setToolPolicy } from '../gateway/approvals';
import type { Customer, CustomerApprovals } from '../store/schema';
import { requireCustomer } from './common';
import { type AdminContext, implement, ToolError } from './registry';

/** A customer's approval policy as outputs show it (get_customer, set_approval_policy). */
export function approvalPolicyView(
  approvals: CustomerApprovals | undefined,
): z.infer<typeof contracts.approvalPolicyOutput> {
  return {
    policy: approvals?.policy ?? 'never',
    actions: Object.entries(approvals?.actions ?? {}).flatMap(([connector_id, actions]) =>
      Object.entries(actions).map(([action, policy]) => ({ connector_id, action, policy })),
    ),
    timeout_s: approvals?.timeoutS ?? contracts.DEFAULT_APPROVAL_TIMEOUT_S,
  };
}

function hub(ctx: AdminContext) {
  const approvals = ctx.approvals;
  if (!approvals)
    throw new ToolError(
      'No Portico server is running for this data dir, so no call is waiting for approval. Start it (`portico serve` or the desktop app) and try again.',
    );
  return approvals;
}

const setApprovalPolicy = implement(contracts.setApprovalPolicy, (input, ctx) => {
  const { customer_id, policy, actions, timeout_s } = input;
  if (policy === undefined && actions === undefined && timeout_s === undefined)
    throw new ToolError('Nothing to set: pass `policy`, `actions` and/or `timeout_s`.');
  const approvals = ctx.store.mutate((ws) => {
    const customer: Customer = requireCustomer(ws, customer_id);
    for (const a of actions ?? []) {
      const connector = ws.connectors[a.connector_id];
      if (!connector)
        throw new ToolError(`No connector with id "${a.connector_id}". Use list_connectors to see the ids.`);
      if (a.policy !== null && !connector.actions.some((x) => x.name === a.action))
        throw new ToolError(
          `Connector "${connector.slug}" has no action "${a.action}". Use list_actions {"connector_id":"${connector.id}"} to see its actions.`,
        );
    }
    const next: CustomerApprovals = {
      policy: policy ?? customer.approvals?.policy ?? 'never',
      actions: customer.approvals?.actions ?? Object.create(null),
      ...(timeout_s !== undefined
        ? { timeoutS: timeout_s }
        : customer.approvals?.timeoutS
          ? { timeoutS: customer.approvals.timeoutS }
          : {}),
    };
    for (const a of actions ?? []) setToolPolicy(next, a.connector_id, a.action, a.policy);
    customer.approvals = next;
    customer.updatedAt = new Date().toISOString();
    return next;
  });
  ctx.events.emit('customer.updated', { customer_id });
  const view = approvalPolicyView(approvals);
  const exceptions = view.actions.length ? `, ${view.actions.length} tool(s) with their own policy` : '';
  return {
    customer_id,
    ...view,
    message: `Customer ${customer_id}: approval policy ${view.policy}${exceptions}; a waiting call is denied after ${view.timeout_s} s.`,
  };
});

const listApprovals = implement(contracts.listApprovals, async ({ status, customer_id }, ctx) => ({
  approvals:
    (await ctx.approvals?.list({
      ...(status ? { status } : {}),
      ...(customer_id ? { customerId: customer_id } : {}),
    })) ?? [],
}));

const decideApproval = implement(
  contracts.decideApproval,
  async ({ approval_id, decision, remember }, ctx) => {
    try {
      const approval = await hub(ctx).decide(approval_id, decision, remember, ctx.caller.entryPoint);
      return {
        approval,
        message: `${approval.tool} for ${approval.customer_id}: ${approval.reason ?? approval.status}`,
      };
    } catch (error) {
      if (error instanceof ApprovalError) throw new ToolError(error.message);
      throw error;
    }
  },
);

export const approvalTools = [setApprovalPolicy, listApprovals, decideApproval] as const;
