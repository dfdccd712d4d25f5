import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { z } from 'zod';
import { CLIENTS, type ClientContext, defaultClientContext } from '../clients';
import { type ClaudeCliContext, defaultClaudeCliContext } from '../clients/claude-code-cli';

/**
 * The caller's environment for client configs: where a client's config file is (HOME, APPDATA,
 * XDG_CONFIG_HOME, the PORTICO_*_CONFIG overrides…) and where `claude` is and how it runs (PATH,
 * HOME, CLAUDE_CONFIG_DIR). `portico clients …` sends its own, so that a running server writes the
 * files of the user's shell rather than those of the server's environment.
 *
 * Trust: this only lets an admin caller choose which files a client-config tool reads and writes
 * and which `claude` on a PATH it runs — things an admin can already do (an admin's connectors and
 * OpenAPI imports reach any file and URL this OS user can). Only the variables below are taken, so
 * nothing else of the process (NODE_OPTIONS, LD_PRELOAD…) can be changed through it.
 */

/** Variables a caller may set, besides each client's PORTICO_*_CONFIG override. */
const BASE_VARIABLES = [
  'HOME',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'XDG_CONFIG_HOME',
  'PATH',
  'CLAUDE_CONFIG_DIR',
] as const;

/** Every variable client_environment may carry. */
export const CLIENT_ENVIRONMENT_VARIABLES: readonly string[] = [
  ...BASE_VARIABLES,
  ...CLIENTS.map((c) => c.envVar),
];

const ALLOWED = new Set(CLIENT_ENVIRONMENT_VARIABLES);
const variable = z.string().max(32_768).optional();

export const clientEnvironmentSchema = z
  .looseObject(Object.fromEntries(CLIENT_ENVIRONMENT_VARIABLES.map((name) => [name, variable])))
  .superRefine((value, ctx) => {
    for (const name of Object.keys(value)) {
      if (ALLOWED.has(name)) continue;
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `${name} is not a variable Portico reads for client configs; client_environment takes only ${CLIENT_ENVIRONMENT_VARIABLES.join(', ')}`,
      });
    }
  })
  // Listed as closed, as it is enforced.
  .meta({ additionalProperties: false })
  .optional()
  .describe(
    "The caller's environment, to find config files and run `claude` as the caller would: only " +
      `${CLIENT_ENVIRONMENT_VARIABLES.join(', ')}. Omitted: the Portico server's own environment.`,
  );

export type ClientEnvironment = z.output<typeof clientEnvironmentSchema>;

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
