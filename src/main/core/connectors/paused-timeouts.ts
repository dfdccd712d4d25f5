/** One request's timeout: restarted by progress, stopped when the request ends. */
export interface RequestClock {
  reset(): void;
  stop(): void;
}

/**
 * The timeouts of the requests on one upstream session, held while the upstream is waiting for its
 * client to answer (an elicitation waits for a person, sampling for a model): a tools/call whose
 * upstream asks the user something must not time out while the user reads the question. Each
 * clock runs again from zero once no question is pending.
 */
export class PausedTimeouts {
  #asking = 0;
  readonly #running = new Set<{ restart(): void; pause(): void }>();

  start(ms: number, onTimeout: () => void): RequestClock {
    let timer: NodeJS.Timeout | undefined;
    const clock = {
      restart: () => {
        clearTimeout(timer);
        timer = this.#asking === 0 ? setTimeout(onTimeout, ms) : undefined;
      },
      pause: () => clearTimeout(timer),
    };
    this.#running.add(clock);
    clock.restart();
    return {
      reset: clock.restart,
      stop: () => {
        clock.pause();
        this.#running.delete(clock);
      },
    };
  }

  /** Runs `work` (an answer being asked of the client) with every clock held. */
  async asking<T>(work: () => Promise<T>): Promise<T> {
    this.#asking += 1;
    for (const clock of this.#running) clock.pause();
    try {
      return await work();
    } finally {
      this.#asking -= 1;
      if (this.#asking === 0) for (const clock of this.#running) clock.restart();
    }
  }
}
