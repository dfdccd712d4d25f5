import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import type { ClientId } from '../../../shared/schemas/clients';

/** The clients Portico knows how to configure. */
export type { ClientId };

/** Everything a client module needs from the machine, injected so tests can play any OS. */
export interface ClientContext {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** Whether a file or folder exists. */
  exists: (p: string) => boolean;
}

export function defaultClientContext(): ClientContext {
  return { platform: process.platform, env: process.env, homedir: homedir(), exists: existsSync };
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What the caller (CLI, tray, UI) knows when it asks for an entry. */
export interface EntryInput {
  /** `portico-admin` or `portico-<customer_id>`. */
  name: string;
  /** The plane's Streamable HTTP URL, e.g. `http://127.0.0.1:7430/mcp/admin`. */
  url: string;
  /** The API key, `ptc_…`. */
  key: string;
  /** How to start `portico bridge` for stdio-only clients; the key never goes in here. */
  bridge: { command: string; args: string[] };
}

/** One server entry as it sits in the client's config: its name and its JSON value. */
export interface ServerEntry {
  name: string;
  value: JsonObject;
}

/** What an entry says, read back by the client that wrote it. */
export interface EntryDetails {
  transport: 'http' | 'stdio' | 'unknown';
  /** The gateway URL it points at, when it says (stdio bridge entries only say with `--url`). */
  url?: string;
  /** The literal key, when the entry holds one. */
  key?: string;
  /** The key is a reference the client resolves itself (`${input:…}`, `${env:…}`): it cannot be checked here. */
  keyReference?: string;
  command?: string;
  args?: string[];
}

export interface RestartInfo {
  /** True when the client only reads its config at start-up. */
  needed: boolean;
  /** One line for the user. */
  hint: string;
}

/** One AI client: where its config lives, what our entry looks like, how to read it back. */
export interface ClientDefinition {
  id: ClientId;
  displayName: string;
  transport: 'http' | 'stdio';
  /** The env variable whose value, when set, is the config path (tests, unusual installs). */
  envVar: string;
  /** The key under the config's root object that holds the servers map. */
  rootKey: string;
  /** The config file's language: JSON with comments (the default), or TOML (Codex). */
  format?: 'json' | 'toml';
  /** The client parses its config as strict JSON: comments or trailing commas would break it. */
  strictJson: boolean;
  restart: RestartInfo;
  configPath(ctx: ClientContext): string;
  /** Folders or files whose existence means the client is installed (or has been used). */
  detectPaths(ctx: ClientContext): string[];
  buildEntry(input: EntryInput): ServerEntry;
  inspect(value: unknown): EntryDetails;
  /** Why the client would not load an entry of this name, when it would not. */
  nameWarning?(name: string): string | undefined;
}

/** A client config could not be read or written; the file was left as it was. */
export class ClientConfigError extends Error {
  override readonly name = 'ClientConfigError';
  constructor(
    message: string,
    readonly file: string,
    readonly position?: { offset: number; line: number; column: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `path.win32` on Windows, `path.posix` elsewhere: paths are built for the target OS, not the host. */
export function pathApi(ctx: Pick<ClientContext, 'platform'>): path.PlatformPath {
  return ctx.platform === 'win32' ? path.win32 : path.posix;
}

export function homePath(ctx: ClientContext, ...segments: string[]): string {
  return pathApi(ctx).join(ctx.homedir, ...segments);
}

/** `%APPDATA%`, falling back to the usual place under the profile. */
export function windowsAppData(ctx: ClientContext): string {
  return ctx.env.APPDATA || path.win32.join(ctx.homedir, 'AppData', 'Roaming');
}

/** `%LOCALAPPDATA%`, falling back to the usual place under the profile. */
export function windowsLocalAppData(ctx: ClientContext): string {
  return ctx.env.LOCALAPPDATA || path.win32.join(ctx.homedir, 'AppData', 'Local');
}

/** The folder Electron apps keep per-user data in: `~/Library/Application Support`, `%APPDATA%`, `$XDG_CONFIG_HOME` or `~/.config`. */
export function userDataRoot(ctx: ClientContext): string {
  if (ctx.platform === 'darwin') return homePath(ctx, 'Library', 'Application Support');
  if (ctx.platform === 'win32') return windowsAppData(ctx);
  return ctx.env.XDG_CONFIG_HOME || homePath(ctx, '.config');
}

/** The env override, when set and non-empty. */
export function envOverride(ctx: ClientContext, envVar: string): string | undefined {
  const value = ctx.env[envVar];
  return value ? value : undefined;
}

export const BEARER_PREFIX = 'Bearer ';

export function bearer(key: string): string {
  return `${BEARER_PREFIX}${key}`;
}

/** A `${input:…}` / `${env:…}` style reference a client substitutes itself. */
export const VARIABLE_REFERENCE = /\$\{[^}]+\}/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
