import type { ActivityLog } from '../activity/activity-log';
import type { WorkspaceStore } from '../store/workspace-store';

/** What the UI hears: the workspace changed (refetch), or calls were recorded (refresh activity). */
export type LiveKind = 'change' | 'activity' | 'progress';
/** `data` only for progress: how far a long call (an import) started by a page has come. */
export type LiveListener = (kind: LiveKind, data?: Record<string, unknown>) => void;

/** At most one notice per kind in this window: a burst of calls or writes is one refetch. */
const WINDOW_MS = 100;

/**
 * Workspace changes (from any process: this one, the CLI, another replica — the store hears them
 * all) and recorded calls, coalesced and fanned out to the UI's event streams and the desktop
 * window. Listeners hear kinds, never data: each UI reads what it needs through the registry,
 * behind its own auth.
 */
export class LiveEvents {
  readonly #listeners = new Set<LiveListener>();
  readonly #pending = new Map<LiveKind, NodeJS.Timeout>();
  readonly #off: Array<() => void>;

  /** `changes`: more sources of 'change' beside the store (calls waiting for approval). */
  constructor(
    store: WorkspaceStore,
    activity: ActivityLog,
    changes: ReadonlyArray<(listener: () => void) => () => void> = [],
  ) {
    this.#off = [
      store.onChange(() => this.#notify('change')),
      activity.onRecord(() => this.#notify('activity')),
      ...changes.map((source) => source(() => this.#notify('change'))),
    ];
  }

  get size(): number {
    return this.#listeners.size;
  }

  on(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Progress of a call a page started with an `X-Progress-Id` (sent at once: the page shows a bar). */
  progress(id: string, data: { progress: number; total?: number; message?: string }): void {
    for (const listener of this.#listeners) {
      try {
        listener('progress', { id, ...data });
      } catch {
        // as below
      }
    }
  }

  close(): void {
    for (const off of this.#off) off();
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
    this.#listeners.clear();
  }

  #notify(kind: LiveKind): void {
    if (this.#pending.has(kind) || this.#listeners.size === 0) return;
    this.#pending.set(
      kind,
      setTimeout(() => {
        this.#pending.delete(kind);
        for (const listener of this.#listeners) {
          try {
            listener(kind);
          } catch {
            // One broken stream must not silence the others.
          }
        }
      }, WINDOW_MS).unref(),
    );
  }
}
