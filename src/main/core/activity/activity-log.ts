import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { appendFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { redact } from '../log';

export interface ActivityEntry {
  id: string;
  time: string;
  plane: 'admin' | 'gateway';
  customer_id: string | null;
  tool: string;
  duration_ms: number;
  outcome: 'ok' | 'error';
  /** A short, redacted reason for failures; never arguments. */
  error?: string;
  key_id?: string;
}

const ROTATE_BYTES = 8 * 1024 * 1024;

/**
 * The activity log: append-only JSON lines in `<dataDir>/activity/`, rotated by size. Writes
 * are queued and asynchronous so recording a call never blocks the call.
 */
export class ActivityLog {
  readonly #dir: string;
  readonly #file: string;
  #queue: string[] = [];
  #flushing: Promise<void> | undefined;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'activity');
    this.#file = join(this.#dir, 'activity.jsonl');
  }

  record(entry: Omit<ActivityEntry, 'id' | 'time'> & { time?: string }): ActivityEntry {
    const full: ActivityEntry = {
      id: `act_${randomBytes(6).toString('hex')}`,
      time: entry.time ?? new Date().toISOString(),
      ...entry,
      ...(entry.error ? { error: redact(entry.error).slice(0, 300) } : {}),
    };
    this.#queue.push(`${JSON.stringify(full)}\n`);
    this.#flushing ??= this.#flush();
    return full;
  }

  /** Resolves once everything recorded so far is on disk. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /** Synchronous append, for one-shot processes (the CLI) that exit right after. */
  recordSync(entry: Omit<ActivityEntry, 'id' | 'time'>): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    appendFileSync(
      this.#file,
      `${JSON.stringify({ id: `act_${randomBytes(6).toString('hex')}`, time: new Date().toISOString(), ...entry })}\n`,
      { mode: 0o600 },
    );
    if (existsSync(this.#file) && statSync(this.#file).size > ROTATE_BYTES)
      renameSync(this.#file, `${this.#file}.1`);
  }

  async #flush(): Promise<void> {
    try {
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      while (this.#queue.length) {
        const batch = this.#queue.join('');
        this.#queue = [];
        await appendFile(this.#file, batch, { mode: 0o600 });
        if ((await stat(this.#file)).size > ROTATE_BYTES) await rename(this.#file, `${this.#file}.1`);
      }
    } catch {
      // Losing activity lines must never fail a tool call.
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Entries newest first (current file, then the rotated one). */
  read(): ActivityEntry[] {
    const entries: ActivityEntry[] = [];
    for (const file of [this.#file, `${this.#file}.1`]) {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n');
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        const line = lines[i];
        if (!line) continue;
        try {
          entries.push(JSON.parse(line) as ActivityEntry);
        } catch {
          // A torn last line after a crash: skip it.
        }
      }
    }
    return entries;
  }
}
