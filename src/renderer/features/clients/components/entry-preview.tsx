// What Add would write (get_client_config, as `portico clients print` shows it): fetched only when
// opened; the key is masked.
import { useState } from 'react';
import { stringify } from 'smol-toml';
import { QueryState } from '../../../common/feedback';
import { useTool } from '../../../common/queries';
import { type ClientId, entryName, type Target, targetInput } from '../lib/target';

const CHANGE_TEXT = {
  'create-file': 'create the file',
  add: 'add the entry',
  update: 'replace the stale entry (with a fresh key)',
  unchanged: 'change nothing: the entry is current',
} as const;

export function EntryPreview({ client, target }: { client: ClientId; target: Target }) {
  const [open, setOpen] = useState(false);
  const config = useTool('get_client_config', { client, ...targetInput(target) }, { enabled: open });
  return (
    <details className="entry-preview" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Preview {entryName(target)}</summary>
      {open && <QueryState query={config} what="the entry" />}
      {open && config.data && (
        <>
          <p>
            Add would {CHANGE_TEXT[config.data.change]} in <code>{config.data.path}</code>, under{' '}
            <code>{config.data.root_key}</code>. The key is shown masked.
          </p>
          <pre>
            {/* Codex's config is TOML: the entry as its table (not the whole file: other servers' secrets stay out of the page). */}
            {client === 'codex'
              ? stringify({ [config.data.root_key]: { [config.data.server_name]: config.data.entry } })
              : JSON.stringify({ [config.data.server_name]: config.data.entry }, null, 2)}
          </pre>
          {config.data.warnings.map((w) => (
            <p key={w} className="muted">
              {w}
            </p>
          ))}
        </>
      )}
    </details>
  );
}
