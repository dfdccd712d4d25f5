import { fastAdmin } from './cli/fast-admin';
import { processIO } from './cli/output';

// The `portico` command (bin/portico.js runs the built copy of this file). A `portico admin` call
// that a running server answers needs none of Portico's code; everything else loads the full CLI.
const argv = process.argv.slice(2);
/** Resolves once everything written to `stream` so far has left the process (a pipe is asynchronous). */
const drained = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => stream.write('', () => resolve()));
const finish = async (code: number) => {
  process.exitCode = code;
  // Exiting at once would cut output to a pipe (a script reading JSON) at 64 KB: flush first.
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // serve resolves only after shutdown; other commands may leave watchers or sockets: exit now.
  process.exit(code);
};
const failed = (error: unknown) => {
  processIO.err(`portico: ${error instanceof Error ? error.message : String(error)}`);
  void finish(1);
};
fastAdmin(argv, processIO)
  .then(async (fast) => {
    if (fast !== undefined) return finish(fast);
    const { runCli } = await import('./cli/run-cli');
    finish(await runCli(argv, processIO));
  }, failed)
  .catch(failed);
