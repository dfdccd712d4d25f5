// Approvals on the desktop: when a customer's call starts waiting for a person's decision, one
// system notification with Allow / Deny (buttons on macOS and Windows; a click anywhere opens the
// window's Approvals page). A button decides through the admin registry as the tray, like the
// tray's own items; a decision that does not apply (decided elsewhere first, expired) is said with
// the server's words. Never twice for one approval, never for one already decided. The model is
// pure; watchApprovals wires it to a core.
import type { RegistryClient } from '../../shared/registry';
import type { PorticoApp } from '../core/app';
import type { ApprovalView } from '../core/gateway/approvals';
import { approvalDecisionFailedNotice, approvalRequestNotice, type Notify } from './notifications';

/** Decided approvals remembered, so a late "pending" of one of them is not shown. */
const ENDED_KEPT = 500;

export type Decision = 'allow' | 'deny';
export type Remember = 'session' | 'always';

/** Decides one approval through the registry as the tray; a refusal becomes a notice. */
export async function decideFromDesktop(
  client: Pick<RegistryClient, 'call'>,
  notify: Notify,
  approval: { id: string; tool: string },
  decision: Decision,
  remember?: Remember,
): Promise<boolean> {
  let error: string;
  try {
    const result = await client.call('decide_approval', {
      approval_id: approval.id,
      decision,
      ...(remember ? { remember } : {}),
    });
    if (result.ok) return true;
    error = result.error;
  } catch (thrown) {
    error = thrown instanceof Error ? thrown.message : String(thrown);
  }
  notify(approvalDecisionFailedNotice(approval.tool, decision, error));
  return false;
}

export class ApprovalAlerts {
  /** Pending approvals already shown. */
  readonly #shown = new Set<string>();
  /** Approvals seen decided (newest last, bounded). */
  readonly #ended = new Set<string>();

  constructor(
    private readonly notify: Notify,
    private readonly customerName: (customerId: string) => string,
    private readonly decide: (approval: ApprovalView, decision: Decision) => void,
  ) {}

  /**
   * An approval was requested or decided. The notice goes out a microtask later, and only if the
   * call is still waiting then (a call cancelled at once is not news). The hub hands its live
   * record, so its status then is the current one.
   */
  changed(approval: ApprovalView): void {
    if (approval.status !== 'pending') {
      this.#end(approval.id);
      return;
    }
    if (this.#shown.has(approval.id) || this.#ended.has(approval.id)) return;
    this.#shown.add(approval.id);
    queueMicrotask(() => {
      if (approval.status !== 'pending' || this.#ended.has(approval.id)) return;
      this.notify(
        approvalRequestNotice({
          id: approval.id,
          tool: approval.tool,
          customerId: approval.customer_id,
          customer: this.customerName(approval.customer_id),
          arguments: approval.arguments,
        }),
        (index) => this.decide(approval, index === 0 ? 'allow' : 'deny'),
      );
    });
  }

  #end(id: string): void {
    this.#shown.delete(id);
    this.#ended.delete(id);
    this.#ended.add(id);
    if (this.#ended.size > ENDED_KEPT) {
      const oldest = this.#ended.values().next().value;
      if (oldest !== undefined) this.#ended.delete(oldest);
    }
  }
}

/** Watches one running core's approvals; returns the function that stops watching. */
export function watchApprovals(core: PorticoApp, notify: Notify): () => void {
  const hub = core.services.approvals;
  if (!hub) return () => {};
  const client = core.client('tray');
  const alerts = new ApprovalAlerts(
    notify,
    (customerId) => core.store.data.customers[customerId]?.name.trim() || customerId,
    (approval, decision) => void decideFromDesktop(client, notify, approval, decision),
  );
  const off = hub.onChange((approval) => alerts.changed(approval));
  // Calls already waiting when the watch starts (oldest first, as they came); seen ones are not told twice.
  void hub.list({ status: 'pending' }).then(
    (pending) => {
      for (const approval of pending.reverse()) alerts.changed(approval);
    },
    () => {},
  );
  return off;
}
