import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_WORKSPACE_FILE_BYTES } from '../../shared/admin/contract';
import { sortKeys } from '../../shared/admin/portability';
import type { CliTarget } from './context';
import { openCliRegistry } from './context';
import { type CliIO, json, UsageError } from './output';

/** Where `portico export --include-secrets` and `portico import` take the passphrase from (never argv). */
export const PASSPHRASE_ENV = 'PORTICO_EXPORT_PASSPHRASE';
const MAX_FILE_BYTES = MAX_WORKSPACE_FILE_BYTES;
const KINDS = ['connectors', 'auth_configs', 'customers', 'webhooks', 'connections'] as const;

const passphrase = (): string | undefined => process.env[PASSPHRASE_ENV] || undefined;

/** Writes `text` to `path` atomically (temp file beside it, fsync, then link or rename): never a half-written file. */
function writeAtomically(path: string, text: string, mode: number, force: boolean): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (force) renameSync(tmp, path);
    else linkSync(tmp, path); // fails if the file appeared meanwhile: nothing is overwritten
  } catch (error) {
    rmSync(tmp, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError(`${path} already exists; pass --force to overwrite it.`);
    throw error;
  } finally {
    if (!force) rmSync(tmp, { force: true });
  }
}

/** `portico export FILE [--customer ID] [--include-secrets] [--force]`: export_workspace, written to FILE. */
export async function exportCommand(
  target: Omit<CliTarget, 'readOnly'>,
  argv: string[],
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      customer: { type: 'string' },
      'include-secrets': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [file, ...extra] = positionals;
  if (!file || extra.length)
    throw new UsageError('Usage: portico export FILE [--customer ID] [--include-secrets] [--force]');
  if (existsSync(file) && !values.force)
    throw new UsageError(`${file} already exists; pass --force to overwrite it.`);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new UsageError(`${file} is a folder; give a file name.`);
  const includeSecrets = values['include-secrets'] === true;
  const secret = passphrase();
  if (includeSecrets && !secret)
    throw new UsageError(
      `--include-secrets encrypts the secrets with a passphrase: set it in env ${PASSPHRASE_ENV} (at least 8 characters; it is never read from the command line).`,
    );
  const session = await openCliRegistry({ ...target, readOnly: true });
  try {
    const result = await session.client.call('export_workspace', {
      ...(values.customer ? { customer_id: values.customer } : {}),
      include_secrets: includeSecrets,
      ...(includeSecrets ? { passphrase: secret } : {}),
    });
    if (!result.ok) {
      io.err(result.error);
      return 1;
    }
    const document = result.value.document;
    writeAtomically(
      file,
      `${JSON.stringify(sortKeys(document), null, 2)}\n`,
      includeSecrets ? 0o600 : 0o644,
      values.force === true,
    );
    const counts = Object.fromEntries(
      KINDS.map((k) => [k, Array.isArray(document[k]) ? (document[k] as unknown[]).length : 0]),
    );
    if (asJson) io.out(json({ path: file, secrets_included: includeSecrets, ...counts }));
    else {
      const summary = KINDS.filter((k) => counts[k]).map((k) => `${counts[k]} ${k.replace('_', ' ')}`);
      io.out(
        `Exported ${summary.join(', ') || 'an empty workspace'} to ${file}${includeSecrets ? ' (secrets encrypted, file mode 0600)' : ' (secrets left out; --include-secrets to add them)'}. API keys are never exported.`,
      );
    }
    return 0;
  } finally {
    await session.close();
  }
}

/** `portico import FILE [--dry-run]`: import_workspace with the file's document. */
export async function importCommand(
  target: Omit<CliTarget, 'readOnly'>,
  argv: string[],
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'dry-run': { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [file, ...extra] = positionals;
  if (!file || extra.length) throw new UsageError('Usage: portico import FILE [--dry-run]');
  if (!existsSync(file)) throw new UsageError(`${file} does not exist.`);
  if (statSync(file).size > MAX_FILE_BYTES)
    throw new UsageError(`${file} is larger than 64 MiB; is it a Portico export?`);
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    io.err(
      `${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}); is it truncated or damaged? Nothing was imported.`,
    );
    return 1;
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    io.err(`${file} does not hold a Portico workspace export (a JSON object). Nothing was imported.`);
    return 1;
  }
  const secrets = (document as { secrets?: { included?: unknown } }).secrets;
  const secret = passphrase();
  if (secrets?.included === true && !secret) {
    io.err(
      `${file} holds encrypted secrets: set the export's passphrase in env ${PASSPHRASE_ENV}. Nothing was imported.`,
    );
    return 1;
  }
  const dryRun = values['dry-run'] === true;
  const session = await openCliRegistry({ ...target, readOnly: false });
  try {
    const result = await session.client.call('import_workspace', {
      document: document as Record<string, unknown>,
      dry_run: dryRun,
      ...(secrets?.included === true ? { passphrase: secret } : {}),
    });
    if (!result.ok) {
      io.err(result.error);
      return 1;
    }
    const report = result.value;
    if (asJson) io.out(json(report));
    else {
      const line = (what: 'added' | 'changed' | 'skipped') =>
        `${what}: ${KINDS.map((k) => `${report[what][k]} ${k.replace('_', ' ')}`).join(', ')}`;
      io.out(
        [
          dryRun ? `Dry run of ${file}: nothing was changed. It would be:` : `Imported ${file}:`,
          `  ${line('added')}`,
          `  ${line('changed')}`,
          `  ${line('skipped')} (identical)`,
          ...report.notes.map((n) => `Note: ${n}`),
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    await session.close();
  }
}
