// The admin registry over /api of a real `portico serve`, with the first admin key it printed.
import type { ToolInput, ToolName, ToolOutput } from '../../src/shared/registry';
import { firstAdminKey } from './browser';
import type { Served } from './cli';

/** A registry call over /api with the first admin key (what a script does); throws on an error. */
export function registryOf(served: Served) {
  const key = firstAdminKey(served);
  return async <N extends ToolName>(tool: N, input: ToolInput<N>): Promise<ToolOutput<N>> => {
    const response = await fetch(`${served.url}/api/tools/${tool}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const answer = (await response.json()) as { ok: boolean; value?: ToolOutput<N>; error?: string };
    if (!answer.ok) throw new Error(`${tool}: ${answer.error}`);
    return answer.value as ToolOutput<N>;
  };
}
