// Signed out of the web UI: how to get in — the one-time link `portico serve` printed (or a new
// one from `portico ui`), or an admin API key typed once.
import { useState } from 'react';
import { Field } from '../../common/controls';
import { ErrorMessage } from '../../common/feedback';

export function LoginPage({
  message,
  signInWithKey,
}: {
  message?: string;
  signInWithKey(key: string): Promise<string | undefined>;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" className="login">
      <section className="card login-card" aria-labelledby="page-title">
        <h1 id="page-title">Sign in to Portico</h1>
        {message && <ErrorMessage error={message} />}
        <p>
          Open the sign-in link that <code>portico serve</code> printed when it started. It works once, for 15
          minutes; <code>portico ui</code> prints a new one.
        </p>
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            if (!key.trim()) {
              setError('Paste an admin API key (ptc_…).');
              return;
            }
            setBusy(true);
            setError(await signInWithKey(key.trim()));
            setBusy(false);
          }}
        >
          <Field
            label="Or sign in with an admin API key"
            error={error}
            hint="It is sent once; the browser keeps a session, not the key."
          >
            {(props) => (
              <input
                {...props}
                type="password"
                autoComplete="off"
                placeholder="ptc_…"
                value={key}
                onChange={(e) => setKey(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      </section>
    </main>
  );
}
