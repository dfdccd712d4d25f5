// Approvals: a customer's tool call that its policy marks as risky waits here for a person's
// decision — from the AI client (elicitation), the desktop app, the web UI, the CLI or an admin
// tool. The first decision wins; no decision within the customer's timeout denies the call.
// Waiting calls live in this process (the call itself waits here); decisions are in the activity
// log and go out as approval.requested / approval.decided events.
import { randomBytes } from 'node:crypto';
import { DEFAULT_APPROVAL_TIMEOUT_S } from '../../../shared/admin/approvals';
import type { ActivityLog, EntryPoint } from '../activity/activity-log';
import type { EventBus } from '../events/event-bus';
import type { Action, ApprovalPolicy, Customer, CustomerApprovals } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { type ApprovalRecords, type ApprovalView, approvalRecords } from './approval-records';

export type { ApprovalView };
export type Remember = 'session' | 'always';
export type ApprovalOutcome = { allowed: true } | { allowed: false; message: string };

/** What the person in the AI client answered; undefined when they could not be asked. */
export type ElicitedDecision = { decision: 'allow' | 'deny'; remember?: Remember } | undefined;

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
  /** Calls waiting in this process. */
  readonly #waiting = new Map<string, Waiting>();
  readonly #records: ApprovalRecords;
  /** Tools allowed for the rest of an MCP session, by session. */
  readonly #sessionAllowed = new Map<string, Set<string>>();
  readonly #listeners = new Set<(approval: ApprovalView) => void>();
  /** Hearing decisions made by other replicas: started with the first waiting call. */
  #stopListening: (() => void) | undefined;
  #poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      store: WorkspaceStore;
      events: EventBus;
      activity: ActivityLog;
      log?: (line: string) => void;
    },
  ) {
    this.#records = approvalRecords(deps.store.database);
  }

  /** Whether this call must wait for a decision (two lookups when the customer has no policy). */
  required(customerId: string, connectorId: string, action: Action, sessionRef?: string): boolean {
    const customer = this.deps.store.data.customers[customerId];
    if (!customer?.approvals) return false;
    const policy = policyFor(customer, connectorId, action.name);
    if (policy === 'never' || (policy === 'destructive' && !isDestructive(action))) return false;
    return !(sessionRef && this.#sessionAllowed.get(sessionRef)?.has(toolKey(connectorId, action.name)));
  }

  /** Holds the call until it is allowed, denied, times out or is cancelled. */
  async wait(request: ApprovalRequest): Promise<ApprovalOutcome> {
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
    // Allowed for this session by a decision this replica did not see (the session went on here).
    if (request.sessionRef && (await this.#allowedElsewhere(request))) return { allowed: true };
    // Recorded before anyone hears of it: whoever is told can decide it, on any replica.
    try {
      await this.#records.insert(view, request.sessionRef);
    } catch (error) {
      return {
        allowed: false,
        message: `${request.tool} needs approval for customer "${request.customerId}", but the approval could not be recorded (${error instanceof Error ? error.message : error}); it was not run.`,
      };
    }
    this.#listen();
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      this.#waiting.set(view.id, {
        view,
        ...(request.sessionRef ? { sessionRef: request.sessionRef } : {}),
        ...(request.keyId ? { keyId: request.keyId } : {}),
        started: performance.now(),
        done: new AbortController(),
        resolve,
        timer: setTimeout(
          () => void this.#expire(view.id, `No decision within ${timeoutS} s: the call was not run.`),
          timeoutS * 1000,
        ),
      });
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
      const cancelled = () => void this.#expire(view.id, 'The client cancelled the call before a decision.');
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
        // Decided elsewhere meanwhile: the first decision stands.
        this.decide(waiting.view.id, answer.decision, answer.remember, 'mcp').catch(() => {});
      },
      () => {
        // The client could not answer (gone, or the question was withdrawn): others still can.
      },
    );
  }

  /**
   * Whether the session was allowed this tool by a decision made while its call waited on another
   * replica (team mode: a session's calls go to any replica). Remembered here once found.
   */
  async #allowedElsewhere(request: ApprovalRequest): Promise<boolean> {
    const sessionRef = request.sessionRef;
    if (!sessionRef || this.deps.store.database?.engine !== 'postgres') return false;
    const allowed = await this.#records.allowedInSession(sessionRef).catch(() => []);
    if (!allowed.length) return false;
    const tools = this.#sessionAllowed.get(sessionRef) ?? new Set<string>();
    for (const a of allowed) tools.add(toolKey(a.connectorId, a.action));
    this.#sessionAllowed.set(sessionRef, tools);
    return tools.has(toolKey(request.connectorId, request.action.name));
  }

  /**
   * Applies a decision, on whichever replica holds the call; the first one wins. Throws
   * ApprovalError for an unknown or already decided approval.
   */
  async decide(
    id: string,
    decision: 'allow' | 'deny',
    remember: Remember | undefined,
    by: EntryPoint,
  ): Promise<ApprovalView> {
    if (decision === 'deny' && remember)
      throw new ApprovalError('`remember` goes with "allow" only: a denial is for this call.');
    const local = this.#waiting.get(id);
    const current = local?.view ?? (await this.#records.get(id));
    if (!current)
      throw new ApprovalError(
        `No approval with id "${id}". Use list_approvals (or \`portico approvals list\`) to see the waiting calls.`,
      );
    if (current.status !== 'pending') throw alreadyDecided(current);
    const view = decided(current, decision === 'allow' ? 'allowed' : 'denied', by, undefined, remember);
    // Not held here: the replica holding the call hears of it and settles it.
    if (!(await this.#records.settle(view, !local))) {
      throw alreadyDecided((await this.#records.get(id)) ?? current);
    }
    if (decision === 'allow' && remember === 'always') {
      this.deps.store.mutate((ws) => {
        const customer = ws.customers[view.customer_id];
        if (!customer) return;
        customer.approvals ??= { policy: 'never', actions: Object.create(null) };
        setToolPolicy(customer.approvals, view.connector_id, view.action, 'never');
        customer.updatedAt = new Date().toISOString();
      });
    }
    const waiting = this.#waiting.get(id);
    if (waiting) this.#finish(waiting, view);
    return view;
  }

  /** This process gives up waiting (timeout, cancel, stop) — unless a decision came first. */
  async #expire(id: string, reason: string): Promise<void> {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    const view = decided(waiting.view, 'expired', 'internal', reason);
    try {
      if (await this.#records.settle(view, false)) return this.#finish(waiting, view);
    } catch (error) {
      this.deps.log?.(
        `Recording approval ${id} as expired failed: ${error instanceof Error ? error.message : error}`,
      );
      return this.#finish(waiting, view);
    }
    await this.#adopt(id);
  }

  /** A decision recorded by another replica (or that beat this one): the waiting call ends with it. */
  async #adopt(id: string): Promise<void> {
    if (!this.#waiting.has(id)) return;
    const view = await this.#records.get(id);
    const waiting = this.#waiting.get(id);
    if (waiting && view && view.status !== 'pending') this.#finish(waiting, view);
  }

  /** The waiting call ends: told to the agent, the activity log, webhooks and listeners. */
  #finish(waiting: Waiting, view: ApprovalView): void {
    if (this.#waiting.get(view.id) !== waiting) return;
    this.#waiting.delete(view.id);
    clearTimeout(waiting.timer);
    waiting.done.abort();
    Object.assign(waiting.view, view);
    const { remember, status } = view;
    if (status === 'allowed' && remember === 'session' && waiting.sessionRef) {
      const allowed = this.#sessionAllowed.get(waiting.sessionRef) ?? new Set<string>();
      allowed.add(toolKey(view.connector_id, view.action));
      this.#sessionAllowed.set(waiting.sessionRef, allowed);
    }
    // On the admin plane: a decision is governance, not a data-plane call (usage counts stay true).
    this.deps.activity.record({
      plane: 'admin',
      entry_point: (view.decided_by ?? 'internal') as EntryPoint,
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
      decided_by: view.decided_by,
      ...(remember ? { remember } : {}),
    });
    waiting.resolve(status === 'allowed' ? { allowed: true } : { allowed: false, message: refusal(view) });
    this.#changed(waiting.view);
    if (!this.#waiting.size) this.#quiet();
  }

  /**
   * Decisions made on other replicas: announced (PostgreSQL NOTIFY) and, as a safety net, polled
   * every second — only while calls wait here.
   */
  #listen(): void {
    const database = this.deps.store.database;
    if (database?.engine !== 'postgres' || this.#poll) return;
    const check = (id?: string) => {
      const ids = id ? [id] : [...this.#waiting.keys()];
      for (const one of ids) void this.#adopt(one).catch(() => {});
    };
    this.#stopListening ??= database.listen?.(
      'approvals',
      (id) => check(id || undefined),
      (message) => this.deps.log?.(message),
    );
    this.#poll = setInterval(() => check(), 1_000);
    this.#poll.unref();
  }

  #quiet(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  list(filter: { status?: 'pending' | 'decided'; customerId?: string } = {}): Promise<ApprovalView[]> {
    return this.#records.list(filter);
  }

  /** Approvals whose server stopped before a decision end expired; decided ones are kept a week. */
  prune(): Promise<void> {
    return this.#records.prune(Date.now());
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

  /** Stopping: every call waiting here is denied, so none hangs. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#waiting.keys()].map((id) => this.#expire(id, 'Portico stopped before a decision.')),
    );
    this.#quiet();
    this.#stopListening?.();
    this.#stopListening = undefined;
  }
}

/** `current` decided: allowed, denied or expired, by whom, why. */
function decided(
  current: ApprovalView,
  status: 'allowed' | 'denied' | 'expired',
  by: EntryPoint,
  reason?: string,
  remember?: Remember,
): ApprovalView {
  return {
    ...current,
    status,
    decided_at: new Date().toISOString(),
    decided_by: by,
    ...(remember ? { remember } : {}),
    reason:
      reason ??
      (status === 'allowed'
        ? `Allowed${remember === 'session' ? ' for this session' : remember === 'always' ? ' always, for this customer' : ' once'}.`
        : 'Denied.'),
  };
}

function alreadyDecided(view: ApprovalView): ApprovalError {
  return new ApprovalError(
    `Approval ${view.id} was already ${view.status}${view.decided_by ? ` (by ${view.decided_by})` : ''} at ${view.decided_at}: the first decision stands.`,
  );
}

/** What the agent is told when its call was not allowed. */
function refusal(view: ApprovalView): string {
  const how =
    'Ask the user to approve it in Portico (the desktop app, the web UI or `portico approvals`) and call it again.';
  if (view.status === 'denied')
    return `${view.tool} was denied by a person (approval ${view.id}, decided through ${view.decided_by}): it was not run. Do not retry it unless the user asks you to.`;
  return `${view.tool} needs approval for customer "${view.customer_id}" and was not run: ${view.reason} (approval ${view.id}). ${how}`;
}
