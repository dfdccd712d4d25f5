import { runCli } from '../cli/run-cli';

/**
 * The tray's "Add to Claude / Cursor": the very same `portico clients add` code path as the
 * command line, run in-process against the app's data dir. Resolves with a one-line summary.
 */
export function clientsAddFor(dataDir: string) {
  return async (client: string, plane: 'admin' | 'gateway', customerId?: string): Promise<string> => {
    let out = '';
    let err = '';
    const args = [
      'clients',
      'add',
      client,
      '--plane',
      plane,
      ...(customerId ? ['--customer', customerId] : []),
    ];
    const code = await runCli([...args, '--data-dir', dataDir], {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
    });
    if (code !== 0) throw new Error(err.trim() || `portico clients add exited with ${code}`);
    return out.trim().split('\n').filter(Boolean).slice(-2).join(' ');
  };
}
