// Free-form name/value pairs (a stdio MCP server's env, an HTTP upstream's headers) for connectors
// whose auth scheme names no fields. Values that look secret are typed hidden.
import { useId } from 'react';

export interface Pair {
  name: string;
  value: string;
}

const SECRET_NAME = /key|token|secret|password|pass|auth|credential/i;

export function PairsEditor({
  kind,
  pairs,
  onChange,
}: {
  kind: 'env' | 'headers';
  pairs: Pair[];
  onChange(next: Pair[]): void;
}) {
  const id = useId();
  const noun = kind === 'env' ? 'Environment variable' : 'Header';
  const set = (i: number, patch: Partial<Pair>) =>
    onChange(pairs.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <fieldset className="pairs">
      <legend>{kind === 'env' ? 'Environment variables (env)' : 'Headers'}</legend>
      {pairs.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position.
        <div className="pair-row" key={i}>
          <label className="visually-hidden" htmlFor={`${id}-n${i}`}>
            {noun} {i + 1} name
          </label>
          <input
            id={`${id}-n${i}`}
            placeholder={kind === 'env' ? 'GITHUB_TOKEN' : 'Authorization'}
            autoComplete="off"
            value={p.name}
            onChange={(e) => set(i, { name: e.target.value })}
          />
          <label className="visually-hidden" htmlFor={`${id}-v${i}`}>
            {noun} {i + 1} value
          </label>
          <input
            id={`${id}-v${i}`}
            type={SECRET_NAME.test(p.name) ? 'password' : 'text'}
            autoComplete="new-password"
            placeholder="value"
            value={p.value}
            onChange={(e) => set(i, { value: e.target.value })}
          />
          <button
            type="button"
            className="secondary small"
            aria-label={`Remove ${noun.toLowerCase()} ${i + 1}`}
            onClick={() => onChange(pairs.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="secondary small"
        onClick={() => onChange([...pairs, { name: '', value: '' }])}
      >
        Add {noun.toLowerCase()}
      </button>
    </fieldset>
  );
}

/** The pairs with a name, as a record (fromEntries: any name, even "__proto__", is an own key). */
export function pairsRecord(pairs: Pair[]): Record<string, string> | undefined {
  const named = pairs.filter((p) => p.name.trim());
  return named.length ? Object.fromEntries(named.map((p) => [p.name.trim(), p.value])) : undefined;
}
