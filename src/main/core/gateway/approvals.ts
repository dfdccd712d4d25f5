// Approvals: a customer's tool call that its policy marks as risky waits here for a person's
// decision — from the AI client (elicitation), the desktop app, the web UI, the CLI or an admin
// tool. The first decision wins; no decision within the customer's timeout denies the call.
// Waiting calls live in this process (the call itself waits here); decisions are in the activity
// log and go out as approval.requested / approval.decided events.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { type approvalRecord, DEFAULT_APPROVAL_TIMEOUT_S } from '../../../shared/admin/approvals';
import type { ActivityLog, EntryPoint } from '../activity/activity-log';
import type { EventBus } from '../events/event-bus';
import type { Action, ApprovalPolicy, Customer, CustomerApprovals } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';

export type ApprovalView = z.infer<typeof approvalRecord>;
export type Remember = 'session' | 'always';
export type ApprovalOutcome = { allowed: true } | { allowed: false; message: string };

/** What the person in the AI client answered; undefined when they could not be asked. */
export type ElicitedDecision = { decision: 'allow' | 'deny'; remember?: Remember } | undefined;

/** Decided approvals kept for list_approvals (the activity log keeps them all). */
const DECIDED_KEPT = 200;

/** A decision that cannot be applied: unknown id, or already decided. */
export class ApprovalError extends Error {}

/** The policy for one tool of one customer: its own, else the customer's, else never. */
export function policyFor(
  customer: Customer | undefined,
  connectorId: string,
  action: string,
): ApprovalPolicy {
  const approvals = customer?.approvals;
  if (!approvals) return 'never';
  return approvals.actions[connectorId]?.[action] ?? approvals.policy;
}

/**
 * Whether a tool may destroy data, as MCP defines the annotations' defaults: unless it says it only
 * reads, or says it is not destructive, it may be.
 */
export function isDestructive(action: Action): boolean {
  return action.annotations.readOnlyHint !== true && action.annotations.destructiveHint !== false;
}

/** Sets (or with null removes) one tool's own policy. */
export function setToolPolicy(
  approvals: CustomerApprovals,
  connectorId: string,
  action: string,
  policy: ApprovalPolicy | null,
): void {
  const own: Record<string, ApprovalPolicy> =
    approvals.actions[connectorId] ?? (Object.create(null) as Record<string, ApprovalPolicy>);
  if (policy === null) delete own[action];
  else own[action] = policy;
  if (Object.keys(own).length) approvals.actions[connectorId] = own;
  else delete approvals.actions[connectorId];
}

export interface ApprovalRequest {
  customerId: string;
  tool: string;
  connectorId: string;
  action: Action;
  /** The call's arguments, connection secrets already masked. */
  args: Record<string, unknown>;
  keyId?: string;
  /** The MCP session that made the call ("allow for this session"). */
  sessionRef?: string;
  /** The call was cancelled by its client: it stops waiting. */
  signal?: AbortSignal;
  /** Asks the person in the AI client (elicitation), when the client supports it. */
  elicit?(message: string, approval: ApprovalView, signal: AbortSignal): Promise<ElicitedDecision>;
}

interface Waiting {
  view: ApprovalView;
  sessionRef?: string;
  keyId?: string;
  started: number;
  timer: NodeJS.Timeout;
  /** Ends the elicitation (and the abort listener) once decided. */
  done: AbortController;
  resolve(outcome: ApprovalOutcome): void;
}

const toolKey = (connectorId: string, action: string) => `${connectorId}\u0000${action}`;

export class ApprovalHub {
  readonly #waiting = new Map<string, Waiting>();
  /** Newest first. */
  #decided: ApprovalView[] = [];
  /** Tools allowed for the rest of an MCP session, by session. */
  readonly #sessionAllowed = new Map<string, Set<string>>();
  readonly #listeners = new Set<(approval: ApprovalView) => void>();

  constructor(private readonly deps: { store: WorkspaceStore; events: EventBus; activity: ActivityLog }) {}

  /** Whether this call must wait for a decision (two lookups when the customer has no policy). */
  required(customerId: string, connectorId: string, action: Action, sessionRef?: string): boolean {
    const customer = this.deps.store.data.customers[customerId];
    if (!customer?.approvals) return false;
    const policy = policyFor(customer, connectorId, action.name);
    if (policy === 'never' || (policy === 'destructive' && !isDestructive(action))) return false;
    return !(sessionRef && this.#sessionAllowed.get(sessionRef)?.has(toolKey(connectorId, action.name)));
  }

  /** Holds the call until it is allowed, denied, times out or is cancelled. */
  wait(request: ApprovalRequest): Promise<ApprovalOutcome> {
    const customer = this.deps.store.data.customers[request.customerId];
    const timeoutS = customer?.approvals?.timeoutS ?? DEFAULT_APPROVAL_TIMEOUT_S;
    const now = Date.now();
    const view: ApprovalView = {
      id: `apr_${randomBytes(8).toString('hex')}`,
      customer_id: request.customerId,
      tool: request.tool,
      connector_id: request.connectorId,
      action: request.action.name,
      arguments: request.args,
      status: 'pending',
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + timeoutS * 1000).toISOString(),
    };
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      const waiting: Waiting = {
        view,
        ...(request.sessionRef ? { sessionRef: request.sessionRef } : {}),
        ...(request.keyId ? { keyId: request.keyId } : {}),
        started: performance.now(),
        done: new AbortController(),
        resolve,
        timer: setTimeout(
          () =>
            this.#settle(
              view.id,
              'expired',
              'internal',
              `No decision within ${timeoutS} s: the call was not run.`,
            ),
          timeoutS * 1000,
        ),
      };
      this.#waiting.set(view.id, waiting);
    });
    this.deps.events.emit('approval.requested', {
      approval_id: view.id,
      customer_id: view.customer_id,
      tool: view.tool,
      connector_id: view.connector_id,
      action: view.action,
      arguments: view.arguments,
      expires_at: view.expires_at,
    });
    this.#changed(view);
    const waiting = this.#waiting.get(view.id);
    if (waiting && request.signal) {
      const cancelled = () =>
        this.#settle(view.id, 'expired', 'internal', 'The client cancelled the call before a decision.');
      if (request.signal.aborted) cancelled();
      else request.signal.addEventListener('abort', cancelled, { signal: waiting.done.signal });
    }
    if (waiting && request.elicit) this.#ask(request, waiting);
    return outcome;
  }

  /** Asks the person in the AI client; their answer is one decision among the others. */
  #ask(request: ApprovalRequest, waiting: Waiting): void {
    const customer = this.deps.store.data.customers[request.customerId];
    const who = customer ? `${customer.name} (${customer.id})` : request.customerId;
    let args = JSON.stringify(request.args);
    if (args.length > 600) args = `${args.slice(0, 599)}…`;
    const message = `Allow ${request.tool} for ${who}? Arguments: ${args}`;
    void request.elicit?.(message, waiting.view, waiting.done.signal).then(
      (answer) => {
        if (!answer || !this.#waiting.has(waiting.view.id)) return;
        try {
          this.decide(waiting.view.id, answer.decision, answer.remember, 'mcp');
        } catch {
          // Decided elsewhere meanwhile: the first decision stands.
        }
      },
      () => {
        // The client could not answer (gone, or the question was withdrawn): others still can.
      },
    );
  }

  /** Applies a decision; the first one wins. Throws ApprovalError for an unknown or decided approval. */
  decide(
    id: string,
    decision: 'allow' | 'deny',
    remember: Remember | undefined,
    by: EntryPoint,
  ): ApprovalView {
    const waiting = this.#waiting.get(id);
    if (!waiting) {
      const decided = this.#decided.find((a) => a.id === id);
      if (decided)
        throw new ApprovalError(
          `Approval ${id} was already ${decided.status}${decided.decided_by ? ` (by ${decided.decided_by})` : ''} at ${decided.decided_at}: the first decision stands.`,
        );
      throw new ApprovalError(
        `No approval with id "${id}". Use list_approvals (or \`portico approvals list\`) to see the waiting calls.`,
      );
    }
    if (decision === 'deny' && remember)
      throw new ApprovalError('`remember` goes with "allow" only: a denial is for this call.');
    const { view } = waiting;
    if (decision === 'allow' && remember === 'always') {
      this.deps.store.mutate((ws) => {
        const customer = ws.customers[view.customer_id];
        if (!customer) return;
        customer.approvals ??= { policy: 'never', actions: Object.create(null) };
        setToolPolicy(customer.approvals, view.connector_id, view.action, 'never');
        customer.updatedAt = new Date().toISOString();
      });
    }
    if (decision === 'allow' && remember === 'session' && waiting.sessionRef) {
      const allowed = this.#sessionAllowed.get(waiting.sessionRef) ?? new Set<string>();
      allowed.add(toolKey(view.connector_id, view.action));
      this.#sessionAllowed.set(waiting.sessionRef, allowed);
    }
    return this.#settle(id, decision === 'allow' ? 'allowed' : 'denied', by, undefined, remember);
  }

  #settle(
    id: string,
    status: 'allowed' | 'denied' | 'expired',
    by: EntryPoint,
    reason?: string,
    remember?: Remember,
  ): ApprovalView {
    const waiting = this.#waiting.get(id);
    if (!waiting) throw new ApprovalError(`Approval ${id} is not waiting.`);
    this.#waiting.delete(id);
    clearTimeout(waiting.timer);
    waiting.done.abort();
    const view = waiting.view;
    view.status = status;
    view.decided_at = new Date().toISOString();
    view.decided_by = by;
    if (remember) view.remember = remember;
    view.reason =
      reason ??
      (status === 'allowed'
        ? `Allowed${remember === 'session' ? ' for this session' : remember === 'always' ? ' always, for this customer' : ' once'}.`
        : 'Denied.');
    this.#decided.unshift(view);
    if (this.#decided.length > DECIDED_KEPT) this.#decided.length = DECIDED_KEPT;
    // On the admin plane: a decision is governance, not a data-plane call (usage counts stay true).
    this.deps.activity.record({
      plane: 'admin',
      entry_point: by,
      customer_id: view.customer_id,
      tool: 'approval',
      duration_ms: Math.round(performance.now() - waiting.started),
      outcome: 'ok',
      detail: `${view.tool}: ${status} (${view.id})${remember ? `, remember ${remember}` : ''}. ${view.reason}`,
      ...(waiting.keyId ? { key_id: waiting.keyId } : {}),
    });
    this.deps.events.emit('approval.decided', {
      approval_id: view.id,
      customer_id: view.customer_id,
      tool: view.tool,
      status,
      decided_by: by,
      ...(remember ? { remember } : {}),
    });
    waiting.resolve(
      status === 'allowed' ? { allowed: true } : { allowed: false, message: this.#refusal(view) },
    );
    this.#changed(view);
    return view;
  }

  /** What the agent is told when its call was not allowed. */
  #refusal(view: ApprovalView): string {
    const how =
      'Ask the user to approve it in Portico (the desktop app, the web UI or `portico approvals`) and call it again.';
    if (view.status === 'denied')
      return `${view.tool} was denied by a person (approval ${view.id}, decided through ${view.decided_by}): it was not run. Do not retry it unless the user asks you to.`;
    return `${view.tool} needs approval for customer "${view.customer_id}" and was not run: ${view.reason} (approval ${view.id}). ${how}`;
  }

  list(filter: { status?: 'pending' | 'decided'; customerId?: string } = {}): ApprovalView[] {
    const pending = [...this.#waiting.values()].map((w) => w.view).reverse();
    const all =
      filter.status === 'pending'
        ? pending
        : filter.status === 'decided'
          ? this.#decided
          : [...pending, ...this.#decided];
    return filter.customerId ? all.filter((a) => a.customer_id === filter.customerId) : [...all];
  }

  /** Calls `listener` when an approval is requested or decided (the tray, notifications, the UI). */
  onChange(listener: (approval: ApprovalView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(view: ApprovalView): void {
    for (const listener of this.#listeners) {
      try {
        listener(view);
      } catch {
        // A failing listener (a closed window) must not fail the decision.
      }
    }
  }

  /** An MCP session closed: what it was allowed ends with it. */
  forgetSession(sessionRef: string): void {
    this.#sessionAllowed.delete(sessionRef);
  }

  /** Stopping: every waiting call is denied, so none hangs. */
  close(): void {
    for (const id of [...this.#waiting.keys()])
      this.#settle(id, 'expired', 'internal', 'Portico stopped before a decision.');
  }
}
