import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import {
  CLIENT_ENVIRONMENT_VARIABLES,
  type ClientEnvironment,
} from '../../../shared/admin/client-environment';
import { type ClientContext, defaultClientContext } from '../clients';
import { type ClaudeCliContext, defaultClaudeCliContext } from '../clients/claude-code-cli';

/** The caller's environment for client configs (its schema and trust: src/shared/admin/client-environment.ts). */
export type { ClientEnvironment };

/** What the tools use to find files and run `claude`: this machine, seen through the caller's environment. */
export interface ClientMachine {
  files: ClientContext;
  claude: ClaudeCliContext;
}

/** The allowed variables the caller set (own data only, strings only). */
function pick(environment: NonNullable<ClientEnvironment>): Record<string, string> {
  const picked: Record<string, string> = Object.create(null);
  for (const name of CLIENT_ENVIRONMENT_VARIABLES) {
    const value = Object.hasOwn(environment, name) ? environment[name] : undefined;
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

/**
 * `process.env` with every allowed variable replaced by the caller's — one the caller did not set
 * is unset, so the server's own CLAUDE_CONFIG_DIR, say, never sends `claude` elsewhere.
 */
function overlay(picked: Record<string, string>): Record<string, string | undefined> {
  const windows = process.platform === 'win32';
  const upper = new Set(CLIENT_ENVIRONMENT_VARIABLES.map((n) => n.toUpperCase()));
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) {
    // Windows variable names are case-insensitive (`Path`).
    if (upper.has(windows ? name.toUpperCase() : name)) continue;
    env[name] = value;
  }
  return { ...env, ...picked };
}

/** The machine for a call: the caller's environment when given, else this process's. */
export function clientMachine(environment: ClientEnvironment): ClientMachine {
  if (!environment) return { files: defaultClientContext(), claude: defaultClaudeCliContext() };
  const picked = pick(environment);
  const home = (process.platform === 'win32' ? picked.USERPROFILE : picked.HOME) || homedir();
  return {
    files: { platform: process.platform, env: picked, homedir: home, exists: existsSync },
    claude: defaultClaudeCliContext(overlay(picked)),
  };
}
