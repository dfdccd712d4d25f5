// Where approvals are kept: the database's `approvals` table, so that any replica on the same
// database lists and decides them — the first decision wins by a conditional update (only a row
// still pending changes). Without a database (a store opened read-only), in memory.
import type { z } from 'zod';
import type { approvalRecord } from '../../../shared/admin/approvals';
import type { Database } from '../store/database';

export type ApprovalView = z.infer<typeof approvalRecord>;

/** Decided approvals listed (the activity log keeps every decision). */
const DECIDED_LISTED = 200;
/** Decided approvals are deleted after this long. */
const KEEP_DECIDED_MS = 7 * 86_400_000;

export interface ApprovalRecords {
  /** `sessionRef`: the MCP session that asked, for "allow for this session". */
  insert(view: ApprovalView, sessionRef?: string): Promise<void>;
  /** The tools a session was allowed for the rest of it (any replica's decisions), as connector + action. */
  allowedInSession(sessionRef: string): Promise<{ connectorId: string; action: string }[]>;
  get(id: string): Promise<ApprovalView | undefined>;
  /**
   * Writes the decided `view` if the approval is still pending; false when it was not (decided
   * elsewhere first). `announce`: tell the other replicas (the one holding the call settles it).
   */
  settle(view: ApprovalView, announce: boolean): Promise<boolean>;
  /** Pending ones oldest first, then decided ones newest first. */
  list(filter: { status?: 'pending' | 'decided'; customerId?: string }): Promise<ApprovalView[]>;
  /** Pending approvals whose holder stopped (past their expiry) become expired; old decided ones go. */
  prune(now: number): Promise<void>;
}

const STALE_REASON = 'No decision in time: the server holding the call stopped.';

class MemoryRecords implements ApprovalRecords {
  readonly #all = new Map<string, ApprovalView>();
  readonly #sessions = new Map<string, string>();
  async insert(view: ApprovalView, sessionRef?: string) {
    this.#all.set(view.id, { ...view });
    if (sessionRef) this.#sessions.set(view.id, sessionRef);
  }
  async allowedInSession(sessionRef: string) {
    return [...this.#all.values()]
      .filter((a) => this.#sessions.get(a.id) === sessionRef && allowsSession(a))
      .map((a) => ({ connectorId: a.connector_id, action: a.action }));
  }
  async get(id: string) {
    const view = this.#all.get(id);
    return view && { ...view };
  }
  async settle(view: ApprovalView) {
    if (this.#all.get(view.id)?.status !== 'pending') return false;
    this.#all.set(view.id, { ...view });
    return true;
  }
  async list(filter: { status?: 'pending' | 'decided'; customerId?: string }) {
    const all = [...this.#all.values()].filter(
      (a) => !filter.customerId || a.customer_id === filter.customerId,
    );
    const pending = all.filter((a) => a.status === 'pending').reverse();
    const decided = all
      .filter((a) => a.status !== 'pending')
      .sort((a, b) => (b.decided_at ?? '').localeCompare(a.decided_at ?? ''))
      .slice(0, DECIDED_LISTED);
    const picked =
      filter.status === 'pending'
        ? pending
        : filter.status === 'decided'
          ? decided
          : [...pending, ...decided];
    return picked.map((a) => ({ ...a }));
  }
  async prune(now: number) {
    for (const [id, a] of this.#all)
      if (a.status !== 'pending' && Date.parse(a.decided_at ?? '') < now - KEEP_DECIDED_MS) {
        this.#all.delete(id);
        this.#sessions.delete(id);
      }
  }
}

class TableRecords implements ApprovalRecords {
  constructor(private readonly database: Database) {}

  async insert(view: ApprovalView, sessionRef?: string) {
    await this.database.write((tx) =>
      tx
        .insertInto('approvals')
        .values({
          id: view.id,
          customer_id: view.customer_id,
          status: view.status,
          created_at: view.created_at,
          expires_at: view.expires_at,
          decided_at: null,
          data: JSON.stringify(view),
          session_ref: sessionRef ?? null,
        })
        .execute(),
    );
  }

  async allowedInSession(sessionRef: string) {
    const rows = await this.database.db
      .selectFrom('approvals')
      .select(['status', 'decided_at', 'data'])
      .where('session_ref', '=', sessionRef)
      .where('status', '=', 'allowed')
      .execute();
    return rows
      .map(viewOf)
      .filter(allowsSession)
      .map((a) => ({ connectorId: a.connector_id, action: a.action }));
  }

  async get(id: string) {
    const row = await this.database.db
      .selectFrom('approvals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && viewOf(row);
  }

  async settle(view: ApprovalView, announce: boolean) {
    return this.database.write(async (tx) => {
      const result = await tx
        .updateTable('approvals')
        .set({ status: view.status, decided_at: view.decided_at ?? null, data: JSON.stringify(view) })
        .where('id', '=', view.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      const settled = Number(result.numUpdatedRows) === 1;
      if (settled && announce) await this.database.announce(tx, 'approvals', view.id);
      return settled;
    });
  }

  async list(filter: { status?: 'pending' | 'decided'; customerId?: string }) {
    const base = () => {
      let q = this.database.db.selectFrom('approvals').selectAll();
      if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
      return q;
    };
    const pending =
      filter.status === 'decided'
        ? []
        : await base()
            .where('status', '=', 'pending')
            .orderBy('created_at', 'desc')
            .orderBy('id', 'desc')
            .execute();
    const decided =
      filter.status === 'pending'
        ? []
        : await base()
            .where('status', '<>', 'pending')
            .orderBy('decided_at', 'desc')
            .orderBy('id', 'desc')
            .limit(DECIDED_LISTED)
            .execute();
    return [...pending, ...decided].map(viewOf);
  }

  async prune(now: number) {
    // A minute's grace past expiry: the holder, if alive, expires its own calls first.
    const stale = new Date(now - 60_000).toISOString();
    await this.database.write(async (tx) => {
      await tx
        .updateTable('approvals')
        .set({ status: 'expired', decided_at: new Date(now).toISOString() })
        .where('status', '=', 'pending')
        .where('expires_at', '<', stale)
        .execute();
      await tx
        .deleteFrom('approvals')
        .where('status', '<>', 'pending')
        .where('decided_at', '<', new Date(now - KEEP_DECIDED_MS).toISOString())
        .execute();
    });
  }
}

/** A row as list_approvals shows it: its data, with the status (and time) its columns hold. */
const allowsSession = (a: ApprovalView) => a.status === 'allowed' && a.remember === 'session';

function viewOf(row: { status: string; decided_at: string | null; data: string }): ApprovalView {
  const view = JSON.parse(row.data) as ApprovalView;
  const status = row.status as ApprovalView['status'];
  if (status === view.status) return view;
  // Expired by pruning: its holder stopped before it could say so.
  return {
    ...view,
    status,
    ...(row.decided_at ? { decided_at: row.decided_at } : {}),
    decided_by: view.decided_by ?? 'internal',
    reason: view.reason ?? STALE_REASON,
  };
}

export function approvalRecords(database: Database | null): ApprovalRecords {
  return database && !database.readOnly && database.hasSchema
    ? new TableRecords(database)
    : new MemoryRecords();
}
