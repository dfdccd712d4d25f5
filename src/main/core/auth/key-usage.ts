import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dataPaths } from '../paths';

/**
 * Last-used times of API keys. Kept apart from the workspace file and flushed in the
 * background, so authenticating a request never writes to disk.
 */
export class KeyUsage {
  readonly #path: string;
  #used: Record<string, string> = {};
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(dataDir: string) {
    this.#path = dataPaths(dataDir).keyUsage;
    this.#used = KeyUsage.read(dataDir);
  }

  static read(dataDir: string): Record<string, string> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(dataPaths(dataDir).keyUsage, 'utf8'));
      if (parsed && typeof parsed === 'object') {
        return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<
          string,
          string
        >;
      }
    } catch {
      // Missing or unreadable usage data only loses "last used" times.
    }
    return {};
  }

  lastUsed(id: string): string | null {
    return this.#used[id] ?? null;
  }

  touch(id: string): void {
    this.#used[id] = new Date().toISOString();
    this.#dirty = true;
    this.#timer ??= setTimeout(() => void this.flush(), 2_000).unref();
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#dirty) return;
    this.#dirty = false;
    await writeFile(this.#path, JSON.stringify(this.#used), { mode: 0o600 });
  }
}
