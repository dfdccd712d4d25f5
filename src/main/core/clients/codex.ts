import { CLIENT_CONFIG_VARIABLES } from '../../../shared/schemas/clients';
import { authHeaders, inspectHttpEntry } from './entry-shapes';
import {
  type ClientContext,
  type ClientDefinition,
  type EntryDetails,
  envOverride,
  homePath,
  isRecord,
  pathApi,
} from './types';

function configPath(ctx: ClientContext): string {
  const override = envOverride(ctx, CLIENT_CONFIG_VARIABLES.codex);
  if (override) return override;
  // Codex keeps its config in CODEX_HOME when that is set, else in ~/.codex.
  const codexHome = envOverride(ctx, 'CODEX_HOME');
  if (codexHome) return pathApi(ctx).join(codexHome, 'config.toml');
  return homePath(ctx, '.codex', 'config.toml');
}

/** Server names Codex loads: it skips any other with an "invalid server name" error. */
const CODEX_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Read back a `[mcp_servers.NAME]` table: `url` with the key in `http_headers`, or a reference
 * Codex resolves itself (`bearer_token_env_var`, `env_http_headers`); or a stdio `command`.
 */
function inspect(value: unknown): EntryDetails {
  if (!isRecord(value)) return { transport: 'unknown' };
  const details = inspectHttpEntry({ ...value, headers: value.http_headers }, 'url');
  if (details.transport !== 'http' || details.key !== undefined || details.keyReference !== undefined) {
    return details;
  }
  if (typeof value.bearer_token_env_var === 'string') {
    details.keyReference = `env:${value.bearer_token_env_var}`;
  } else if (isRecord(value.env_http_headers)) {
    const header = Object.entries(value.env_http_headers).find(([name]) => /^authorization$/i.test(name));
    if (typeof header?.[1] === 'string') details.keyReference = `env:${header[1]}`;
  }
  return details;
}

/**
 * OpenAI Codex (CLI, IDE extension and the ChatGPT desktop app share it): `~/.codex/config.toml`,
 * a `[mcp_servers.NAME]` table with `url` and the key in `http_headers` — the file is 0600, and
 * `bearer_token_env_var` would have the user export the key in every shell Codex starts from.
 */
export const codex: ClientDefinition = {
  id: 'codex',
  displayName: 'Codex',
  transport: 'http',
  envVar: CLIENT_CONFIG_VARIABLES.codex,
  rootKey: 'mcp_servers',
  format: 'toml',
  strictJson: false,
  restart: {
    needed: true,
    hint: 'Start a new Codex session (or restart the ChatGPT app); Codex reads config.toml at start-up.',
  },
  configPath,
  detectPaths: (ctx) => [pathApi(ctx).dirname(configPath(ctx))],
  buildEntry: (input) => ({
    name: input.name,
    value: { url: input.url, http_headers: authHeaders(input.key) },
  }),
  inspect,
  nameWarning: (name) =>
    CODEX_NAME.test(name)
      ? undefined
      : `Codex loads only servers whose name is letters, digits, "_" and "-": it will skip ${name} with an "invalid server name" error. Use a customer id without "." or ":" for Codex.`,
};
