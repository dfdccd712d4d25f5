import { z } from 'zod';
import { CLIENT_CONFIG_VARIABLES, CLIENT_IDS } from '../schemas/clients';

/**
 * The caller's environment for client configs: where a client's config file is (HOME, APPDATA,
 * XDG_CONFIG_HOME, CODEX_HOME, the PORTICO_*_CONFIG overrides…) and where `claude` is and how it
 * runs (PATH, HOME, CLAUDE_CONFIG_DIR). `portico clients …` sends its own, so that a running server writes the
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
  'CODEX_HOME',
] as const;

/** Every variable client_environment may carry. */
export const CLIENT_ENVIRONMENT_VARIABLES: readonly string[] = [
  ...BASE_VARIABLES,
  ...CLIENT_IDS.map((id) => CLIENT_CONFIG_VARIABLES[id]),
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
