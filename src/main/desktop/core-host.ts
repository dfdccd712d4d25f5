// The gateway core inside the desktop app: started once, restarted on another port when the user
// picks one, drained on quit. Everyone else (IPC, tray, notifications) asks this host for "the core
// now" and hears when it changes, so a restart needs no re-wiring. No Electron here.
import type { PorticoApp } from '../core/app';
import { classifyStartError, type StartProblem } from './start-problem';

export type CoreState =
  | { phase: 'starting' }
  | { phase: 'running'; app: PorticoApp }
  | { phase: 'failed'; problem: StartProblem }
  | { phase: 'stopped' };

export interface CoreHostOptions {
  dataDir: string;
  /** Starts a core on this port (undefined: the workspace's setting). */
  start: (port: number | undefined) => Promise<PorticoApp>;
}

type Listener = () => void;

export class CoreHost {
  #state: CoreState = { phase: 'starting' };
  #starting: Promise<CoreState> | undefined;
  readonly #stateListeners = new Set<Listener>();
  readonly #changeListeners = new Set<Listener>();
  #offChange: (() => void) | undefined;

  constructor(private readonly options: CoreHostOptions) {}

  get state(): CoreState {
    return this.#state;
  }

  /** The running core, or null. */
  get app(): PorticoApp | null {
    return this.#state.phase === 'running' ? this.#state.app : null;
  }

  /** The core once it runs; rejects with the reason it does not (what the window's calls answer). */
  async current(): Promise<PorticoApp> {
    const state = this.#state.phase === 'starting' && this.#starting ? await this.#starting : this.#state;
    switch (state.phase) {
      case 'running':
        return state.app;
      case 'failed':
        throw new Error(state.problem.message);
      case 'starting':
        throw new Error('Portico is starting; try again in a moment.');
      case 'stopped':
        throw new Error('Portico is quitting.');
    }
  }

  /** Hears every state change (starting, running, failed, stopped). */
  onState(listener: Listener): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Hears workspace changes and recorded calls of whichever core runs (coalesced by the core). */
  onChange(listener: Listener): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Starts the core (closing a running one first); resolves to the new state, never rejects. */
  start(port?: number): Promise<CoreState> {
    const previous = this.#starting ?? Promise.resolve(this.#state);
    const next = previous.then(async () => {
      if (this.#state.phase === 'stopped') return this.#state;
      await this.#closeRunning();
      this.#set({ phase: 'starting' });
      try {
        const app = await this.options.start(port);
        if ((this.#state as CoreState).phase === 'stopped') {
          await app.close(); // quit while starting
          return this.#state;
        }
        this.#offChange = app.onChange(() => this.#emit(this.#changeListeners));
        this.#set({ phase: 'running', app });
      } catch (error) {
        this.#set({ phase: 'failed', problem: classifyStartError(error, this.options.dataDir) });
      }
      return this.#state;
    });
    this.#starting = next;
    void next.finally(() => {
      if (this.#starting === next) this.#starting = undefined;
    });
    return next;
  }

  /** Drains the running core (in-flight calls finish) and stops for good. */
  async close(): Promise<void> {
    const running = this.app;
    const starting = this.#starting;
    this.#set({ phase: 'stopped' });
    this.#offChange?.();
    this.#offChange = undefined;
    await running?.close();
    await starting; // a start in flight closes what it started once it sees 'stopped'
  }

  async #closeRunning(): Promise<void> {
    const running = this.app;
    if (!running) return;
    this.#offChange?.();
    this.#offChange = undefined;
    await running.close();
  }

  #set(state: CoreState): void {
    this.#state = state;
    this.#emit(this.#stateListeners);
  }

  #emit(listeners: Set<Listener>): void {
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // one broken listener must not silence the others
      }
    }
  }
}
