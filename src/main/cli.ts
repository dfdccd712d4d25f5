import { processIO } from './cli/output';
import { runCli } from './cli/run-cli';

// The `portico` command (bin/portico.js runs the built copy of this file).
runCli(process.argv.slice(2), processIO).then(
  (code) => {
    process.exitCode = code;
    // serve resolves only after shutdown; other commands may leave watchers or sockets: exit now.
    process.exit(code);
  },
  (error: unknown) => {
    processIO.err(`portico: ${(error as Error).message}`);
    process.exit(1);
  },
);
