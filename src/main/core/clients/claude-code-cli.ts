import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { JsonObject } from './types';

/**
 * Claude Code's own `claude mcp …` commands. Claude Code rewrites `~/.claude.json` itself — it keeps
 * project state, caches and account data there and saves it while sessions run — so when its CLI is
 * on PATH, Portico asks it to add or remove our user-scope entry rather than editing the file under
 * it. Editing the file (config-file.ts) stays the fallback: no `claude`, a failing `claude`, or
 * PORTICO_CLAUDE_CODE_CONFIG set (tests and explicit overrides name a file, so the file wins).
 */

export interface ExecResult {
  /** The exit code; null when killed (timeout) or never started. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be run or timed out. */
  error?: Error;
}

/** The machine as this module sees it, injectable so tests can supply PATH and a fake runner. */
export interface ClaudeCliContext {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  isExecutable: (file: string) => boolean;
  /** Runs `file` with `args`, no shell, no stdin. */
  exec: (file: string, args: readonly string[]) => ExecResult;
}

/** `claude` starts a Node app and may check for updates: generous, but never a hang. */
const EXEC_TIMEOUT_MS = 30_000;

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * This machine, with `env` as the environment `claude` is looked up in (PATH) and run with (HOME,
 * CLAUDE_CONFIG_DIR…): this process's own unless a caller passes the user's.
 */
export function defaultClaudeCliContext(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ClaudeCliContext {
  return {
    env,
    platform: process.platform,
    isExecutable,
    exec: (file, args) => {
      // No shell: the arguments (one is JSON) reach `claude` exactly as given, nothing is re-parsed.
      const result = spawnSync(file, args, {
        env: { ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: EXEC_TIMEOUT_MS,
        windowsHide: true,
      });
      return {
        status: result.status,
        stdout: result.stdout ?? '',
        stderr: result.stderr ?? '',
        ...(result.error ? { error: result.error } : {}),
      };
    },
  };
}

/**
 * The `claude` executable on PATH, or undefined. Only absolute PATH entries count: a relative one
 * (`.`) would run whatever `claude` sits in the current folder. On Windows only `claude.exe` (the
 * native installer) is taken: npm's `claude.cmd` shim can only run through cmd.exe, whose quoting
 * would mangle the JSON argument — there the file is edited instead.
 */
export function findClaude(ctx: ClaudeCliContext): string | undefined {
  const win = ctx.platform === 'win32';
  const api = win ? path.win32 : path.posix;
  const searchPath = ctx.env.PATH ?? ctx.env.Path ?? '';
  const name = win ? 'claude.exe' : 'claude';
  for (const dir of searchPath.split(api.delimiter)) {
    if (!dir || !api.isAbsolute(dir)) continue;
    const candidate = api.join(dir, name);
    if (ctx.isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A `claude` to run, and how. */
export interface ClaudeCli {
  path: string;
  ctx: ClaudeCliContext;
}

/** The `claude` CLI to use for Claude Code's entries, or undefined when the config file is to be edited. */
export function claudeCli(ctx: ClaudeCliContext = defaultClaudeCliContext()): ClaudeCli | undefined {
  if (ctx.env.PORTICO_CLAUDE_CODE_CONFIG) return undefined;
  const found = findClaude(ctx);
  return found ? { path: found, ctx } : undefined;
}

/** Why file editing was chosen over `claude`, for the user. */
export function claudeCliSkipReason(ctx: ClaudeCliContext = defaultClaudeCliContext()): string {
  return ctx.env.PORTICO_CLAUDE_CODE_CONFIG ? 'PORTICO_CLAUDE_CODE_CONFIG is set' : '`claude` is not on PATH';
}

export type ClaudeCliOutcome = { ok: true } | { ok: false; reason: string };

/** Anything that looks like a Portico key, masked: `claude` may echo its arguments back in an error. */
const KEY_PATTERN = /ptc_[A-Za-z0-9]+_[A-Za-z0-9]+/g;

function said(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // A crash prints a source location first; the line naming the error says more.
  const line = lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? lines[0];
  if (!line) return '';
  const masked = line.replace(KEY_PATTERN, 'ptc_••••••••_••••');
  return masked.length > 300 ? `${masked.slice(0, 300)}…` : masked;
}

function run(cli: ClaudeCli, args: string[]): ClaudeCliOutcome {
  const result = cli.ctx.exec(cli.path, args);
  if (result.error) return { ok: false, reason: said(result.error.message) || 'it could not be run' };
  if (result.status === 0) return { ok: true };
  const message = said(result.stderr) || said(result.stdout);
  const exit = result.status === null ? 'it was stopped' : `exit code ${result.status}`;
  return { ok: false, reason: message ? `${exit}: ${message}` : exit };
}

/**
 * `claude mcp add-json --scope user NAME JSON`. The entry must carry the key (Claude Code sends the
 * header exactly as written), and add-json takes the entry as an argument, so the key sits in this
 * child's argv while it runs — briefly visible to other local processes (ps, /proc). That is the
 * CLI's interface; to keep it at that, the command line is never printed or logged, and any error
 * text is key-masked. `--scope user` writes to the user's own `~/.claude.json`, never to a
 * project's `.mcp.json`, which may be committed. add-json refuses a name that exists: remove first.
 */
export function claudeMcpAddJson(cli: ClaudeCli, name: string, value: JsonObject): ClaudeCliOutcome {
  return run(cli, ['mcp', 'add-json', '--scope', 'user', name, JSON.stringify(value)]);
}

/** `claude mcp remove --scope user NAME`: only the user-scope entry, never a project's or local one. */
export function claudeMcpRemove(cli: ClaudeCli, name: string): ClaudeCliOutcome {
  return run(cli, ['mcp', 'remove', '--scope', 'user', name]);
}
