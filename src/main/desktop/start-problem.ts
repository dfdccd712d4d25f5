// Why the gateway did not start, and what the user can do about it — decided from the error,
// without Electron. Two cases get their own way out instead of a dead tray:
// - the port is taken by another program → "Pick another port" (a free one, remembered);
// - a Portico server (`portico serve`) already runs for this data dir → "Use the running server"
//   (its web UI, signed in by a one-time link it mints for this OS user).
import { z } from 'zod';
import { postToServer } from '../cli/remote';
import { AlreadyRunningError, readLocalCredential, readServerInfo } from '../core/store/server-info';

export type StartProblem =
  | { kind: 'port-in-use'; port: number; message: string }
  | { kind: 'already-running'; url: string | null; pid: number | null; message: string }
  | { kind: 'failed'; message: string };

export type ProblemChoice = 'use-running' | 'pick-port' | 'retry';

export const CHOICE_LABELS: Record<ProblemChoice, string> = {
  'use-running': 'Use the running server',
  'pick-port': 'Pick another port',
  retry: 'Try again',
};

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What went wrong starting the core for `dataDir`. */
export function classifyStartError(error: unknown, dataDir: string): StartProblem {
  const message = text(error);
  if (error instanceof AlreadyRunningError) {
    const info = readServerInfo(dataDir);
    return { kind: 'already-running', url: info?.url ?? null, pid: info?.pid ?? null, message };
  }
  const inUse = /^Port (\d+) on \S+ is already in use/.exec(message);
  if (inUse?.[1] !== undefined || (error as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE') {
    return { kind: 'port-in-use', port: Number(inUse?.[1] ?? Number.NaN), message };
  }
  return { kind: 'failed', message };
}

/** The ways out of a problem, best first. */
export function problemChoices(problem: StartProblem): ProblemChoice[] {
  switch (problem.kind) {
    case 'port-in-use':
      return ['pick-port', 'retry'];
    case 'already-running':
      return problem.url ? ['use-running', 'retry'] : ['retry'];
    case 'failed':
      return ['retry'];
  }
}

/** One line for the tray's status and a notification's title. */
export function problemHeadline(problem: StartProblem): string {
  switch (problem.kind) {
    case 'port-in-use':
      return Number.isNaN(problem.port)
        ? 'The port is in use by another program'
        : `Port ${problem.port} is in use by another program`;
    case 'already-running':
      return `Portico already runs for this data dir${problem.url ? ` at ${problem.url}` : ''}`;
    case 'failed':
      return 'The gateway did not start';
  }
}

/** The longer explanation (a notification's body, the window's dialog). */
export function problemDetail(problem: StartProblem): string {
  switch (problem.kind) {
    case 'port-in-use':
      return `${problem.message} Pick another port to run on a free one (remembered for next time), or stop the other program and try again.`;
    case 'already-running':
      return (
        `Another Portico server (pid ${problem.pid ?? '?'}, e.g. \`portico serve\`) serves this workspace. ` +
        'Use it (its web UI opens in your browser, signed in), or stop it and try again.'
      );
    case 'failed':
      return problem.message;
  }
}

/**
 * A one-time sign-in link to the web UI of the server running for `dataDir` (what `portico ui`
 * prints), asked for with the local credential only this OS user can read.
 */
export async function runningServerLink(
  dataDir: string,
): Promise<{ ok: true; url: string } | { ok: false; error: string }> {
  const server = readServerInfo(dataDir);
  const credential = server?.url ? readLocalCredential(dataDir) : null;
  if (!server?.url || !credential) {
    return {
      ok: false,
      error: `No Portico server runs for ${dataDir} any more. Try again to start one here.`,
    };
  }
  const result = await postToServer({ ...server, url: server.url }, credential, '/api/login-link', {});
  if (!result.ok) return { ok: false, error: result.error };
  const link = z.object({ url: z.string() }).safeParse(result.value);
  if (!link.success || !link.data.url.startsWith(`${server.url}/`)) {
    return { ok: false, error: `The server at ${server.url} did not give a sign-in link.` };
  }
  return { ok: true, url: link.data.url };
}
