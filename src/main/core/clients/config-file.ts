import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pidAlive } from '../util/process-alive';
import { isPorticoName, isValidEntryName } from './entry-shapes';
import {
  hasJsoncOnlySyntax,
  nodeValue,
  parseDoc,
  propertiesOf,
  removeEntries,
  serversMap,
  setEntry,
} from './jsonc-edit';
import { parseToml, removeTable, setTable, TomlEditError, valueAt } from './toml-edit';
import {
  ClientConfigError,
  type ClientContext,
  type ClientDefinition,
  defaultClientContext,
  type EntryDetails,
  type EntryInput,
  type JsonObject,
  type JsonValue,
  type ServerEntry,
} from './types';

/**
 * The merge-safe writer every client shares: only our entry's bytes change, a file that does not
 * parse is never touched, the old file is backed up, the write is atomic and the file mode is 0600.
 */

export interface WriterOptions {
  /** The machine (platform, env, home, exists); defaults to this process's. */
  ctx?: ClientContext;
  /** Write here instead of the client's usual path. */
  path?: string;
  /** Clock for backup names. */
  now?: () => Date;
}

export type AddChange = 'create-file' | 'add' | 'update' | 'unchanged';

export interface AddPlan {
  client: ClientDefinition['id'];
  path: string;
  name: string;
  entry: JsonObject;
  change: AddChange;
  /** The file's text now, or null when it does not exist. */
  before: string | null;
  /** The text `add` writes. */
  after: string;
  /** Things the user should know (e.g. comments in a file the client reads as strict JSON). */
  warnings: string[];
}

export interface AddResult extends AddPlan {
  written: boolean;
  backupPath?: string;
}

export interface RemoveResult {
  client: ClientDefinition['id'];
  path: string;
  removed: string[];
  written: boolean;
  backupPath?: string;
}

export interface FoundEntry {
  name: string;
  value: JsonValue;
  details: EntryDetails;
}

/** The path `client`'s config is read from and written to, following a symlink to its target. */
export function configPathFor(client: ClientDefinition, options: WriterOptions = {}): string {
  const path = options.path ?? client.configPath(options.ctx ?? defaultClientContext());
  try {
    // A dotfiles-managed symlink: write the file it points to, keep the link.
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path;
  }
}

/**
 * A config file's servers map as its format sees it: JSON with comments (jsonc-edit.ts) or TOML
 * (toml-edit.ts). Parsing happens when the file is loaded; the map is checked when it is used.
 */
interface ServersDoc {
  /** No file, or nothing but whitespace in it: add creates it. */
  empty: boolean;
  /** Every entry of the servers map in file order (JSON may repeat a name; the last one counts). */
  entries(): { name: string; value: JsonValue }[];
  /** The whole text with `name` set to `value`. */
  set(name: string, value: JsonObject): string;
  /** The whole text without these entries. */
  remove(names: ReadonlySet<string>): string;
}

interface Loaded {
  path: string;
  /** Exact bytes on disk, or null when there is no file. */
  bytes: Buffer | null;
  text: string | null;
  doc: ServersDoc;
}

function load(path: string, client: ClientDefinition): Loaded {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { path, bytes: null, text: null, doc: open(client, '', path) };
    }
    throw new ClientConfigError(`Cannot read ${path}: ${(error as Error).message}`, path, undefined, {
      cause: error,
    });
  }
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new ClientConfigError(`${path} is not UTF-8 text; it was left unchanged.`, path);
  }
  return { path, bytes, text, doc: open(client, text, path) };
}

function open(client: ClientDefinition, text: string, path: string): ServersDoc {
  return client.format === 'toml' ? openToml(client, text, path) : openJson(client, text, path);
}

const mapKind = (type: string) => (type === 'array' ? 'an array' : `a ${type}`);

function openJson(client: ClientDefinition, text: string, path: string): ServersDoc {
  const parsed = parseDoc(text);
  if (!parsed.ok) {
    const { code, offset, line, column } = parsed.error;
    throw new ClientConfigError(
      `${path} is not valid JSON (${code} at line ${line}, column ${column}); it was left unchanged. Fix the file, or move it aside, and try again.`,
      path,
      { offset, line, column },
    );
  }
  const { doc } = parsed;
  if (doc.root && doc.root.type !== 'object') {
    throw new ClientConfigError(
      `${path} holds a JSON ${doc.root.type}, not an object; it was left unchanged.`,
      path,
    );
  }
  const map = () => {
    const found = serversMap(doc, client.rootKey);
    if (found.kind === 'invalid') {
      throw new ClientConfigError(
        `${path}: "${client.rootKey}" is ${mapKind(found.type)}, not an object; it was left unchanged.`,
        path,
      );
    }
    return found;
  };
  return {
    empty: doc.root === undefined,
    entries: () => {
      const found = map();
      if (found.kind !== 'object') return [];
      return propertiesOf(found.node).map((p) => ({ name: p.name, value: nodeValue(p.value) }));
    },
    set: (name, value) => {
      map();
      return setEntry(doc, client.rootKey, name, value);
    },
    remove: (names) => {
      map();
      return removeEntries(doc, client.rootKey, names);
    },
  };
}

function openToml(client: ClientDefinition, text: string, path: string): ServersDoc {
  const parsed = parseToml(text);
  if (!parsed.ok) {
    const { message, offset, line, column } = parsed.error;
    throw new ClientConfigError(
      `${path} is not valid TOML (${message} at line ${line}, column ${column}); it was left unchanged. Fix the file, or move it aside, and try again.`,
      path,
      { offset, line, column },
    );
  }
  const { doc } = parsed;
  const map = () => {
    const found = valueAt(doc.data, [client.rootKey]);
    if (found === undefined) return {};
    if (typeof found !== 'object' || found === null || Array.isArray(found)) {
      const type = Array.isArray(found) ? 'array' : found === null ? 'null' : typeof found;
      throw new ClientConfigError(
        `${path}: "${client.rootKey}" is ${mapKind(type)}, not a table; it was left unchanged.`,
        path,
      );
    }
    return found;
  };
  /** A table Portico does not edit in place: refused, naming the line. */
  const edit = (change: () => string) => {
    map();
    try {
      return change();
    } catch (error) {
      if (!(error instanceof TomlEditError)) throw error;
      const position = error.at ? { ...error.at, column: 1 } : undefined;
      throw new ClientConfigError(`${path}: ${error.message}; it was left unchanged.`, path, position);
    }
  };
  return {
    empty: doc.text.trim() === '',
    entries: () => Object.entries(map()).map(([name, value]) => ({ name, value })),
    set: (name, value) => edit(() => setTable(doc, [client.rootKey, name], value)),
    remove: (names) =>
      edit(() => {
        let current = doc;
        let out = text;
        for (const name of names) {
          out = removeTable(current, [client.rootKey, name]);
          const next = parseToml(out);
          if (!next.ok) throw new TomlEditError(`Portico could not edit the file safely`);
          current = next.doc;
        }
        return out;
      }),
  };
}

function resolveEntry(client: ClientDefinition, entry: EntryInput | ServerEntry, path: string): ServerEntry {
  const resolved = 'value' in entry ? entry : client.buildEntry(entry);
  if (!isValidEntryName(resolved.name)) {
    throw new ClientConfigError(
      `"${resolved.name}" is not a Portico entry name (portico-admin or portico-<customer_id>); ${path} was left unchanged.`,
      path,
    );
  }
  return resolved;
}

function plan(client: ClientDefinition, entry: EntryInput | ServerEntry, loaded: Loaded): AddPlan {
  const { name, value } = resolveEntry(client, entry, loaded.path);
  const existing = loaded.doc.entries().filter((e) => e.name === name);
  const current = existing[existing.length - 1];
  const warnings: string[] = [];
  if (client.strictJson && loaded.text !== null && hasJsoncOnlySyntax(loaded.text)) {
    warnings.push(
      `${client.displayName} reads ${loaded.path} as strict JSON, but it has comments or trailing commas: ${client.displayName} may reject it until they are removed.`,
    );
  }
  const nameWarning = client.nameWarning?.(name);
  if (nameWarning) warnings.push(nameWarning);
  const base = { client: client.id, path: loaded.path, name, entry: value, before: loaded.text, warnings };
  if (existing.length === 1 && current && jsonEqual(current.value, value)) {
    return { ...base, change: 'unchanged', after: loaded.text ?? '' };
  }
  const change: AddChange = loaded.doc.empty ? 'create-file' : current ? 'update' : 'add';
  return { ...base, change, after: loaded.doc.set(name, value) };
}

/** What `add` would do, without writing. Throws ClientConfigError when the file cannot be merged. */
export function planAdd(
  client: ClientDefinition,
  entry: EntryInput | ServerEntry,
  options: WriterOptions = {},
): AddPlan {
  return plan(client, entry, load(configPathFor(client, options), client));
}

/** The text `add` would write (the whole file), writing nothing. */
export function print(
  client: ClientDefinition,
  entry: EntryInput | ServerEntry,
  options: WriterOptions = {},
): string {
  return planAdd(client, entry, options).after;
}

/** Add or update our entry. Idempotent: an identical entry is not written again. */
export function applyAdd(
  client: ClientDefinition,
  entry: EntryInput | ServerEntry,
  options: WriterOptions = {},
): AddResult {
  const path = configPathFor(client, options);
  return withRetry(path, () => {
    const loaded = load(path, client);
    const p = plan(client, entry, loaded);
    if (p.change === 'unchanged') return { ...p, written: false };
    const backupPath = writeConfig(loaded, p.after, options.now ?? (() => new Date()));
    return { ...p, written: true, ...(backupPath ? { backupPath } : {}) };
  });
}

/**
 * Remove our entries: the given names, or those a predicate picks. Only `portico-…` entries are ever
 * removed; the servers map stays even when it ends up empty.
 */
export function applyRemove(
  client: ClientDefinition,
  which: readonly string[] | ((entry: FoundEntry) => boolean),
  options: WriterOptions = {},
): RemoveResult {
  const path = configPathFor(client, options);
  return withRetry(path, () => {
    const loaded = load(path, client);
    const found = entriesOf(client, loaded);
    const wanted =
      typeof which === 'function' ? found.filter(which) : found.filter((e) => which.includes(e.name));
    const names = new Set(wanted.map((e) => e.name));
    if (names.size === 0) return { client: client.id, path, removed: [], written: false };
    const after = loaded.doc.remove(names);
    const backupPath = writeConfig(loaded, after, options.now ?? (() => new Date()));
    return {
      client: client.id,
      path,
      removed: [...names],
      written: true,
      ...(backupPath ? { backupPath } : {}),
    };
  });
}

/** Our entries (`portico-…`) in the client's config; none when the file does not exist. */
export function readEntries(client: ClientDefinition, options: WriterOptions = {}): FoundEntry[] {
  return entriesOf(client, load(configPathFor(client, options), client));
}

function entriesOf(client: ClientDefinition, loaded: Loaded): FoundEntry[] {
  const byName = new Map<string, FoundEntry>();
  for (const { name, value } of loaded.doc.entries()) {
    if (!isPorticoName(name)) continue;
    byName.set(name, { name, value, details: client.inspect(value) });
  }
  return [...byName.values()];
}

class ConcurrentChange extends Error {}

function withRetry<T>(path: string, attempt: () => T): T {
  for (let i = 0; i < 3; i++) {
    try {
      return attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentChange)) throw error;
    }
  }
  throw new ClientConfigError(
    `${path} kept changing while Portico was writing it (is the client rewriting it?); nothing was written. Try again.`,
    path,
  );
}

/** Timestamp for backup names: ISO-8601 with `:` and `.` made file-name safe. */
export function backupStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

const tempPrefix = (path: string) => `.${basename(path)}.portico-tmp-`;

/**
 * Removes temp files an earlier write of this config left when its process was killed mid-write
 * (a live process's are left alone). Only writers call it: reading a config changes nothing.
 */
export function removeStaleTempFiles(path: string): string[] {
  const dir = dirname(path);
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && pidAlive(pid)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/** A config the user made read-only is theirs to protect: refused, never replaced. */
function assertWritable(path: string, existed: boolean): void {
  if (!existed) return;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return;
  }
  // The owner's write bit, not access(2): as root every file looks writable.
  if ((mode & 0o200) === 0 && process.platform !== 'win32') {
    throw new ClientConfigError(
      `${path} is read-only, so Portico leaves it as it is. Make it writable (chmod u+w ${path}) and run this again, or add the entry by hand (\`portico clients print\` shows it).`,
      path,
    );
  }
}

/** Back up the old file, then write the new text atomically (temp file in the same folder, fsync, rename), mode 0600. */
function writeConfig(loaded: Loaded, text: string, now: () => Date): string | undefined {
  const { path } = loaded;
  const dir = dirname(path);
  assertWritable(path, loaded.bytes !== null);
  removeStaleTempFiles(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ClientConfigError(`Cannot create ${dir}: ${(error as Error).message}`, path, undefined, {
      cause: error,
    });
  }
  const tmp = join(dir, `${tempPrefix(path)}${process.pid}-${randomBytes(4).toString('hex')}`);
  let backupPath: string | undefined;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    // Someone (often the client itself) changed the file since we read it: start over.
    if (!sameBytes(readOrNull(path), loaded.bytes)) throw new ConcurrentChange();
    if (loaded.bytes !== null) backupPath = backup(path, now());
    renameSync(tmp, path);
    return backupPath;
  } catch (error) {
    rmSync(tmp, { force: true });
    if (error instanceof ConcurrentChange || error instanceof ClientConfigError) throw error;
    throw new ClientConfigError(`Cannot write ${path}: ${(error as Error).message}`, path, undefined, {
      cause: error,
    });
  }
}

function backup(path: string, date: Date): string {
  const base = `${path}.portico-backup-${backupStamp(date)}`;
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    try {
      copyFileSync(path, candidate, constants.COPYFILE_EXCL);
      chmodSync(candidate, 0o600);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw error;
    }
  }
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => jsonEqual(x, b[i] as JsonValue))
    );
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  return (
    ak.length === bk.length && ak.every((k) => k in b && jsonEqual(a[k] as JsonValue, b[k] as JsonValue))
  );
}
