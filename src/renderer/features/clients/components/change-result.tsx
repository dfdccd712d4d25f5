// What an Add or Remove did to a client's config file: the path written, the backup, whether the
// client needs a restart — or the server's error (for a file that does not parse it names the
// line and column, and the file is left as it was).
import type { ToolOutput } from '../../../../shared/registry';

export type ChangeOutcome =
  | { kind: 'add'; value: ToolOutput<'add_client_config'> }
  | { kind: 'remove'; value: ToolOutput<'remove_client_config'> }
  | { kind: 'error'; action: 'add' | 'remove'; name: string; message: string };

const ADD_TEXT = {
  'create-file': 'created the file with',
  add: 'added',
  update: 're-minted the stale entry',
  unchanged: 'left the current entry as it was:',
} as const;

function Notes({ value }: { value: ToolOutput<'add_client_config'> | ToolOutput<'remove_client_config'> }) {
  return (
    <>
      <dl className="props change-props">
        <dt>File</dt>
        <dd>
          <code>{value.path}</code>
        </dd>
        <dt>Backup</dt>
        <dd>{value.backup_path ? <code>{value.backup_path}</code> : 'none made'}</dd>
        <dt>Restart</dt>
        <dd>
          {value.restart_required ? `Restart ${value.display_name} to pick it up.` : 'Not needed.'}{' '}
          {value.restart_hint}
        </dd>
        {value.revoked_key_ids.length > 0 && (
          <>
            <dt>Revoked keys</dt>
            <dd>{value.revoked_key_ids.join(', ')}</dd>
          </>
        )}
        {value.method_note && (
          <>
            <dt>Note</dt>
            <dd>{value.method_note}</dd>
          </>
        )}
        {value.claude_cli_error && (
          <>
            <dt>claude CLI</dt>
            <dd>{value.claude_cli_error}</dd>
          </>
        )}
      </dl>
      {value.warnings.length > 0 && (
        <ul className="change-warnings">
          {value.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </>
  );
}

export function ChangeResult({ outcome, onDismiss }: { outcome: ChangeOutcome; onDismiss(): void }) {
  const dismiss = (
    <button type="button" className="link" aria-label="Dismiss the result" onClick={onDismiss}>
      ×
    </button>
  );
  if (outcome.kind === 'error')
    return (
      <div className="error-box change-result" role="alert">
        <div className="change-title">
          <strong>
            Could not {outcome.action} {outcome.name}:
          </strong>
          {dismiss}
        </div>
        {outcome.message}
      </div>
    );
  const { value } = outcome;
  const headline =
    outcome.kind === 'add'
      ? `${value.display_name}: ${ADD_TEXT[outcome.value.change]} ${value.server_name}${
          outcome.value.method === 'claude-cli' ? ' (through `claude mcp`)' : ''
        }.`
      : outcome.value.removed
        ? `${value.display_name}: removed ${value.server_name}.`
        : `${value.display_name}: there was no ${value.server_name} entry; nothing changed.`;
  return (
    <div className="ok-box change-result" role="status">
      <div className="change-title">
        <strong>{headline}</strong>
        {dismiss}
      </div>
      <Notes value={value} />
    </div>
  );
}
