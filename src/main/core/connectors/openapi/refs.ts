/**
 * Where a document's external `$ref`s may lead, enforced inside the parser's resolver (every file or
 * URL it would read, at any depth, comes through `read` below — the document text is not scanned):
 *
 * - a document read from a file (`spec_path`): files in its own folder and below, never outside it
 *   (`..`, absolute paths, `file://` URLs, percent-encodings, Windows separators — whatever the
 *   reference resolves to), never through a symbolic link that leaves the folder, never into a
 *   Portico data dir even one that lies below, and never a URL;
 * - a document fetched by URL (`spec_url`): URLs of its own origin (scheme, host and port), and
 *   redirects only within it;
 * - a document given inline (`spec`): nothing outside itself.
 *
 * Every document read is bounded (size and time); anything refused throws an OpenApiImportError
 * naming the reference, before a byte of its target is read.
 */
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../../util/paths';
import { fetchLimited, MAX_REDIRECTS, type ReadLimits, readFileLimited, reasonOf, tooLarge } from './fetch';
import { bound, errorMessage, isObject, type Json, OpenApiImportError, pointer, refsIn } from './util';

/** Where the main document came from: that decides what it may reference. */
export type DocumentScope =
  | { kind: 'inline' }
  /** An absolute path. */
  | { kind: 'file'; file: string }
  /** The URL the document was served from (after redirects), without a fragment. */
  | { kind: 'url'; url: string };

/** Files only a Portico data dir holds: a folder with one of them is never read from. */
const DATA_DIR_MARKERS = ['secret.key', 'secret.key.keyring', 'portico.db', 'server.credential'];
/** Past this many referenced documents, or this many times the per-document limit in all, stop. */
const MAX_REFERENCED_DOCUMENTS = 1_000;
const MAX_TOTAL_FACTOR = 4;

/** What the parser tells a resolver about the file it wants. */
interface RefTarget {
  /** The reference resolved to an absolute path or URL, without its fragment. */
  url: string;
  /** The `$ref` as written, without its fragment. */
  reference?: string;
  /** The fragment the reference resolved to ("#/…"), or "". */
  hash: string;
  /** The document (or schema scope) the reference was found in. */
  baseUrl?: string;
}

export class ReferencePolicy {
  /** The first refusal or read failure: the parser wraps errors, so this is what gets reported. */
  failure: OpenApiImportError | undefined;
  private rootValue: () => Json;
  private readonly cache = new Map<string, Promise<Buffer>>();
  private readonly stop = new AbortController();
  private documents = 0;
  private totalBytes = 0;
  private realRoot: Promise<string> | undefined;
  private protectedReal: Promise<string[]> | undefined;

  constructor(
    private readonly scope: DocumentScope,
    private readonly root: Json,
    private readonly limits: ReadLimits,
    private readonly protectedDirs: readonly string[] = [],
  ) {
    this.rootValue = () => root;
  }

  /** What the parser gets when it reads the main document: it is already read and parsed. */
  serveRoot(value: () => Json): void {
    this.rootValue = value;
  }

  /** What to pass the parser: its path or URL (so references resolve against it), or the object itself. */
  get location(): string | undefined {
    return this.scope.kind === 'file'
      ? this.scope.file
      : this.scope.kind === 'url'
        ? this.scope.url
        : undefined;
  }

  /**
   * The parser's `resolve` options: this one resolver reads every file and URL, whatever its scheme
   * (order 1, it is asked first); the parser's own HTTP resolver is never asked.
   */
  resolveOptions(): Record<string, unknown> {
    return {
      external: true,
      file: { order: 1, canRead: () => true, read: (file: unknown) => this.read(file) },
      http: { canRead: () => false },
    };
  }

  private async read(file: unknown): Promise<Buffer | Json> {
    const target = targetOf(file);
    if (this.isRoot(target.url)) return this.rootValue();
    let pending = this.cache.get(target.url);
    if (!pending) {
      pending = this.load(target);
      this.cache.set(target.url, pending);
    }
    try {
      return await pending;
    } catch (error) {
      const failure =
        error instanceof OpenApiImportError
          ? error
          : new OpenApiImportError(`Cannot read ${this.name(target)}: ${errorMessage(error)}`);
      this.failure ??= failure;
      this.stop.abort(); // nothing else is worth reading now
      throw failure;
    }
  }

  private isRoot(url: string): boolean {
    if (this.scope.kind === 'file') return localPathOf(url) === this.scope.file;
    if (this.scope.kind === 'url') return stripHash(url) === this.scope.url;
    return false;
  }

  private load(target: RefTarget): Promise<Buffer> {
    if (this.stop.signal.aborted)
      return Promise.reject(new Error('the import stopped at an earlier reference'));
    if (++this.documents > MAX_REFERENCED_DOCUMENTS) {
      return Promise.reject(
        new OpenApiImportError(
          `The document references more than ${MAX_REFERENCED_DOCUMENTS} other documents; ${this.name(target)} is one too many.`,
        ),
      );
    }
    if (this.scope.kind === 'file') return this.loadFile(target, this.scope.file);
    if (this.scope.kind === 'url') return this.loadUrl(target, this.scope.url);
    return Promise.reject(
      this.refused(
        target,
        'inline documents cannot reference files or URLs, only their own "#/…" parts. Bundle the spec into one document first (for example with `redocly bundle`), or import it with spec_path or spec_url',
      ),
    );
  }

  private async loadFile(target: RefTarget, mainFile: string): Promise<Buffer> {
    const folder = path.dirname(mainFile);
    const local = localPathOf(target.url);
    if (local === null) {
      const what = /^https?:/i.test(target.url) ? 'URLs' : 'other kinds of reference';
      throw this.refused(
        target,
        `a document read from a file may reference only files in its own folder (${folder}) and below, not ${what}`,
      );
    }
    const outside = `it points outside the document's folder (${folder}); a document read from a file may reference only files in that folder and below`;
    if (!isWithin(folder, local)) throw this.refused(target, outside);
    // Where it really is, as far as it exists: a missing file behind a link that leaves is refused
    // as leaving, not reported as missing.
    const { real, missing } = await realLocation(local);
    this.realRoot ??= realpath(folder);
    const realFolder = await this.realRoot;
    if (!isWithin(realFolder, real))
      throw this.refused(
        target,
        `it leads through a symbolic link to outside the document's folder (${folder})`,
      );
    this.protectedReal ??= realDirs([...this.protectedDirs, defaultDataDir()]);
    if ((await dataDirHolding(real, realFolder, await this.protectedReal)) !== null)
      throw this.refused(target, 'it points into a Portico data dir, which documents may never reference');
    if (missing) throw new OpenApiImportError(`Cannot read ${this.name(target)}: ${fsReason(missing)}.`);
    const info = await stat(real);
    if (!info.isFile()) throw new OpenApiImportError(`Cannot read ${this.name(target)}: it is not a file.`);
    if (info.size > this.limits.maxBytes) throw tooLarge(this.name(target), this.limits.maxBytes, info.size);
    const body = await readFileLimited(real, this.limits.maxBytes);
    if (body === null) throw tooLarge(this.name(target), this.limits.maxBytes);
    return this.counted(target, body);
  }

  private async loadUrl(target: RefTarget, mainUrl: string): Promise<Buffer> {
    const origin = new URL(mainUrl).origin;
    const otherOrigin = (what: string, to: string) =>
      this.refused(
        target,
        `${what} another origin (${to}); a document fetched from ${origin} may reference only that origin`,
      );
    const first = parseUrl(target.url);
    if (!first || (first.protocol !== 'http:' && first.protocol !== 'https:'))
      throw otherOrigin('it points to', first?.protocol ?? target.url);
    if (first.origin !== origin) throw otherOrigin('it points to', first.origin);
    let url: URL = first;
    for (let hop = 0; ; hop++) {
      let outcome: Awaited<ReturnType<typeof fetchLimited>>;
      try {
        outcome = await fetchLimited(url, this.limits, { redirect: 'manual', signal: this.stop.signal });
      } catch (error) {
        throw new OpenApiImportError(
          `Cannot fetch ${this.name(target)} from ${url.href}: ${reasonOf(error, this.limits.timeoutMs)}.`,
        );
      }
      if (outcome.kind === 'body') return this.counted(target, outcome.body);
      if (outcome.kind === 'too-large')
        throw tooLarge(this.name(target), this.limits.maxBytes, outcome.declared);
      if (outcome.kind === 'status')
        throw new OpenApiImportError(
          `Cannot fetch ${this.name(target)} from ${url.href}: HTTP ${outcome.status} ${outcome.statusText}`.trimEnd(),
        );
      const next: URL | null = outcome.location ? parseUrl(outcome.location, url) : null;
      if (!next)
        throw new OpenApiImportError(
          `Cannot fetch ${this.name(target)}: a redirect without a usable Location.`,
        );
      if (next.origin !== origin || (next.protocol !== 'http:' && next.protocol !== 'https:'))
        throw otherOrigin('it redirected to', next.protocol.startsWith('http') ? next.origin : next.protocol);
      if (hop >= MAX_REDIRECTS)
        throw new OpenApiImportError(
          `Cannot fetch ${this.name(target)}: more than ${MAX_REDIRECTS} redirects.`,
        );
      url = next;
    }
  }

  private counted(target: RefTarget, body: Buffer): Buffer {
    this.totalBytes += body.byteLength;
    const total = this.limits.maxBytes * MAX_TOTAL_FACTOR;
    if (this.totalBytes > total)
      throw new OpenApiImportError(
        `The documents the main one references hold more than ${total} bytes in all; stopped at ${this.name(target)}.`,
      );
    return body;
  }

  private refused(target: RefTarget, why: string): OpenApiImportError {
    return new OpenApiImportError(`${this.name(target, true)} is refused: ${why}.`);
  }

  /** `External $ref "…" at /pointer` (in the main document) or `$ref "…" in other.yaml`. */
  private name(target: RefTarget, external = false): string {
    const written = target.reference ?? target.url;
    const found = findRef(this.root, written);
    const ref = bounded(found?.ref ?? `${written}${target.hash}`);
    const inRoot = this.scope.kind === 'inline' || !target.baseUrl || this.isRoot(stripHash(target.baseUrl));
    if (found && inRoot) return `${external ? 'External ' : ''}$ref "${ref}" at ${found.at}`;
    const from = target.baseUrl ? ` in ${this.display(stripHash(target.baseUrl))}` : '';
    return `${external ? 'External ' : ''}$ref "${ref}"${from}`;
  }

  private display(url: string): string {
    if (this.scope.kind !== 'file') return bounded(url);
    const local = localPathOf(url);
    return local ? bounded(path.relative(path.dirname(this.scope.file), local) || local) : bounded(url);
  }
}

/** The folders, each resolved to where it really is (as given when it does not exist). */
export function realDirs(dirs: readonly string[]): Promise<string[]> {
  return Promise.all(dirs.map((dir) => realpath(dir).catch(() => path.resolve(dir))));
}

/**
 * The Portico data dir the real path `real` lies in, or null: one of `protectedReal`, or a folder
 * from `real`'s own up to `highest` that holds a data dir's files.
 */
export async function dataDirHolding(
  real: string,
  highest: string,
  protectedReal: readonly string[],
): Promise<string | null> {
  for (const dir of protectedReal) if (isWithin(dir, real)) return dir;
  for (let dir = path.dirname(real); isWithin(highest, dir); dir = path.dirname(dir)) {
    for (const marker of DATA_DIR_MARKERS) {
      const found = await access(path.join(dir, marker)).then(
        () => true,
        () => false,
      );
      if (found) return dir;
    }
    if (dir === highest) break;
  }
  return null;
}

/**
 * `local` with every symbolic link resolved; when it does not exist, its nearest existing ancestor
 * resolved with the rest appended, and why it is missing.
 */
async function realLocation(local: string): Promise<{ real: string; missing?: unknown }> {
  try {
    return { real: await realpath(local) };
  } catch (error) {
    const rest: string[] = [];
    for (let dir = local; ; ) {
      rest.unshift(path.basename(dir));
      const parent = path.dirname(dir);
      if (parent === dir) return { real: local, missing: error };
      try {
        return { real: path.join(await realpath(parent), ...rest), missing: error };
      } catch {
        dir = parent;
      }
    }
  }
}

function targetOf(file: unknown): RefTarget {
  if (!isObject(file) || typeof file.url !== 'string')
    throw new Error('The parser asked for a file without a URL.');
  return {
    url: file.url,
    reference: typeof file.reference === 'string' ? file.reference : undefined,
    hash: typeof file.hash === 'string' && file.hash !== '#' ? file.hash : '',
    baseUrl: typeof file.baseUrl === 'string' ? file.baseUrl : undefined,
  };
}

/**
 * The absolute local path a resolved reference names, or null when it names something else (a URL
 * of another scheme, a `file://` URL on another host or with an encoded separator). Fully decoded,
 * so `..%2f` is `../` here — and that is the path that gets checked and read.
 */
export function localPathOf(url: string): string | null {
  const withoutHash = stripHash(url);
  if (/^file:/i.test(withoutHash)) {
    try {
      return path.resolve(fileURLToPath(withoutHash));
    } catch {
      return null;
    }
  }
  const drive = /^[a-z]:[\\/]/i.test(withoutHash);
  if (/^[a-z][a-z0-9+.-]*:/i.test(withoutHash) && !(drive && process.platform === 'win32')) return null;
  try {
    return path.resolve(decodeURIComponent(withoutHash));
  } catch {
    return null; // malformed percent-encoding
  }
}

/** Whether `child` is `parent` or below it (both absolute and normalized). */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function stripHash(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

function parseUrl(text: string, base?: URL): URL | null {
  try {
    return new URL(text, base);
  } catch {
    return null;
  }
}

function fsReason(error: unknown): string {
  const code = isObject(error) && typeof error.code === 'string' ? error.code : '';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'there is no such file';
  if (code === 'ELOOP') return 'a loop of symbolic links';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code || errorMessage(error);
}

const bounded = (text: string): string => bound(text, 300);

/** The first `$ref` in `doc` written as `reference` (with or without a fragment), and where it is. */
function findRef(doc: Json, reference: string): { ref: string; at: string } | null {
  for (const { ref, at } of refsIn(doc))
    if (stripHash(ref) === reference) return { ref, at: pointer([...at, '$ref']) };
  return null;
}
