// A signing secret, shown the one time the server returns it.
import { CopyButton } from '../../../common/controls';

export function SecretOnce({ secret, onDone }: { secret: string; onDone(): void }) {
  return (
    <div>
      <div className="secret-once" role="status">
        <p>
          <strong>Copy the signing secret now: you won't see this again.</strong> Store it in the receiver to
          verify the <code>webhook-signature</code> header (Standard Webhooks).
        </p>
        <code className="secret-value" data-testid="webhook-secret">
          {secret}
        </code>
      </div>
      <footer className="dialog-footer">
        <CopyButton text={secret} label="Copy secret" />
        <button type="button" onClick={onDone}>
          Done
        </button>
      </footer>
    </div>
  );
}
