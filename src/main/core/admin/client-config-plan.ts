import {
  ClientConfigError,
  type ClientDefinition,
  configPathFor,
  entryStatus,
  type FoundEntry,
  readEntries,
  type WriterOptions,
} from '../clients';
import { type ClaudeCli, claudeCli, claudeCliSkipReason } from '../clients/claude-code-cli';
import { type ClientTarget, clientById, entryName, liveKeyId } from './client-config';
import { expectedEntry } from './client-entry';
import { type ClientEnvironment, type ClientMachine, clientMachine } from './client-environment';
import type { AdminContext } from './registry';

/**
 * One client-config operation's setting: which client, which entry, which file — resolved through
 * the caller's environment — and whether Claude Code's own `claude` looks after the file.
 */
export interface ClientJob {
  client: ClientDefinition;
  target: ClientTarget;
  /** `portico-admin` or `portico-<customer_id>`. */
  name: string;
  machine: ClientMachine;
  /** For the config-file writers: the caller's machine. */
  files: WriterOptions;
  /** The config file (a symlink followed to its target). */
  path: string;
  /** Claude Code's CLI when it is to be used instead of editing the file. */
  claude: ClaudeCli | undefined;
}

export function clientJob(clientId: string, target: ClientTarget, environment: ClientEnvironment): ClientJob {
  const client = clientById(clientId);
  const machine = clientMachine(environment);
  const files: WriterOptions = { ctx: machine.files };
  return {
    client,
    target,
    name: entryName(target),
    machine,
    files,
    path: configPathFor(client, files),
    claude: client.id === 'claude-code' ? claudeCli(machine.claude) : undefined,
  };
}

/** Why the file is edited rather than `claude` run (Claude Code only). */
export function fileRouteReason(
  job: ClientJob,
  claudeError: string | undefined,
  verb: 'add-json' | 'remove',
): string | undefined {
  if (job.client.id !== 'claude-code') return undefined;
  if (claudeError !== undefined) return `\`claude mcp ${verb}\` failed: ${claudeError}`;
  return claudeCliSkipReason(job.machine.claude);
}

/**
 * Our entries in the file. Strict (a file that does not parse stops the operation, untouched)
 * unless `claude` looks after the file: then it is read only to learn which key an entry holds, and
 * must not stop `claude` from doing its job.
 */
export function entriesOf(job: ClientJob, strict = !job.claude): FoundEntry[] {
  try {
    return readEntries(job.client, job.files);
  } catch (error) {
    if (!strict && error instanceof ClientConfigError) return [];
    throw error;
  }
}

/** Our entry for the job's target, as it is now. */
export function existingEntry(job: ClientJob, strict?: boolean): FoundEntry | undefined {
  return entriesOf(job, strict).find((e) => e.name === job.name);
}

/**
 * The id of the entry's key when the entry is current — it points at the gateway as it is now and
 * holds a live key of this workspace for the right plane — so that add leaves it as it is.
 */
export function currentKeyId(ctx: AdminContext, job: ClientJob, found: FoundEntry | undefined) {
  if (!found) return undefined;
  const status = entryStatus(found, expectedEntry(ctx, job.client, job.target));
  if (status.status !== 'current' || !status.keyChecked) return undefined;
  return liveKeyId(ctx.store.data, found.details.key);
}
