// Cursor's and VS Code's one-click install links. The default link holds no key (a placeholder
// the client fills); a link with a key exists only after the user asks for one to be minted.
import { useState } from 'react';
import { ErrorMessage, QueryState, useToast } from '../../../common/feedback';
import { useTool, useToolMutation } from '../../../common/queries';
import { INSTALL_LINKS, type LinkClient } from '../lib/install-link';
import { type Target, targetInput } from '../lib/target';

const NAMES: Record<LinkClient, string> = { cursor: 'Cursor', vscode: 'VS Code' };

// biome-ignore lint/suspicious/noTemplateCurlyInString: Cursor's own ${…} variable syntax, shown to the user
const CURSOR_PLACEHOLDER = '${env:PORTICO_API_KEY}';

const PLACEHOLDER_NOTE: Record<LinkClient, string> = {
  cursor: `This link holds no key: the entry reads it from ${CURSOR_PLACEHOLDER}. Set that variable for Cursor, or paste your key over the placeholder in mcp.json after installing.`,
  vscode:
    'This link holds no key: VS Code asks for your Portico key once when you install it and keeps it in its secret storage.',
};

export function InstallLinks({ client, target }: { client: LinkClient; target: Target }) {
  const input = { client, ...targetInput(target) };
  const config = useTool('get_client_config', input);
  const mint = useToolMutation('get_client_config');
  const toast = useToast();
  const [minted, setMinted] = useState<{ link: string; keyId: string; for: string } | undefined>();
  const targetKey = JSON.stringify(input);
  const current = minted?.for === targetKey ? minted : undefined;
  const name = NAMES[client];
  return (
    <div className="install-links">
      <h3>Install link</h3>
      <QueryState query={config} what="the install link" />
      {config.data?.deeplink && (
        <div className="install-link">
          <a className="button secondary small" href={config.data.deeplink}>
            Install in {name}
          </a>
          <span className="muted">{PLACEHOLDER_NOTE[client]}</span>
        </div>
      )}
      {current ? (
        <div className="install-link">
          <a className="button small" href={current.link}>
            Install in {name} with the new key
          </a>
          <span className="warn-text">
            This link holds a key minted just now (id <code>{current.keyId}</code>): open it, don't share it.
            Revoke the key on <a href="#/keys">API keys</a> if you don't use it.
          </span>
        </div>
      ) : (
        config.data && (
          <div className="install-link">
            <button
              type="button"
              className="secondary small"
              disabled={mint.isPending}
              onClick={() =>
                mint.mutate(
                  { ...input, include_key: true },
                  {
                    onSuccess: (r) => {
                      setMinted({
                        link: INSTALL_LINKS[client](r.server_name, r.entry),
                        keyId: r.key_id ?? '?',
                        for: targetKey,
                      });
                      toast.success(`Minted a key for a ${name} install link.`);
                    },
                    onError: (e) => toast.error(e),
                  },
                )
              }
            >
              Make a link with a new key
            </button>
            <span className="muted">Mints a key on click and puts it in the link.</span>
          </div>
        )
      )}
      <ErrorMessage error={mint.error} title="No key minted" />
    </div>
  );
}
