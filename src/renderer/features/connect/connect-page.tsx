// The customer-facing connect page (`#/connect?customer_id=…&connector_id=…&token=…`): one
// customer, one connector, no admin sign-in. The link works once, until it expires.
import { useEffect, useState } from 'react';
import { type CredentialField, credentialsFrom } from '../../../shared/schemas/credential-fields';
import { Field } from '../../common/controls';
import { ErrorMessage, Loading } from '../../common/feedback';
import { useHashQuery } from '../../common/router';
import { type ConnectInfo, loadConnectInfo, saveCredentials, startOAuth } from './connect-api';

function CredentialsForm({
  fields,
  onSubmit,
}: {
  fields: CredentialField[];
  onSubmit(values: Record<string, string>): Promise<void>;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        const missing = Object.fromEntries(
          fields
            .filter((f) => !f.optional && !(values[f.path] ?? '').trim())
            .map((f) => [f.path, `Enter ${f.label}.`]),
        );
        setErrors(missing);
        if (Object.keys(missing).length) return;
        setBusy(true);
        await onSubmit(values);
        setBusy(false);
      }}
    >
      {fields.map((f) => (
        <Field key={f.path} label={f.label} error={errors[f.path]}>
          {(props) => (
            <input
              {...props}
              type={f.secret ? 'password' : 'text'}
              autoComplete="off"
              placeholder={f.placeholder}
              value={values[f.path] ?? ''}
              onChange={(e) => setValues((v) => ({ ...v, [f.path]: e.target.value }))}
            />
          )}
        </Field>
      ))}
      <button type="submit" disabled={busy}>
        Connect
      </button>
    </form>
  );
}

export function ConnectPage() {
  const query = useHashQuery();
  const token = query.get('token') ?? '';
  const [info, setInfo] = useState<ConnectInfo | undefined>();
  const [error, setError] = useState<string | undefined>(
    token ? undefined : 'This link has no token. Ask for a new connect link.',
  );
  const [done, setDone] = useState(false);
  // A refused submission (a bad value) keeps the form; a dead link (used, expired) replaces it.
  const [formError, setFormError] = useState<string | undefined>();

  useEffect(() => {
    if (!token) return;
    void loadConnectInfo(token).then((answer) =>
      answer.ok ? setInfo(answer.value) : setError(answer.error),
    );
  }, [token]);

  const title = info ? `Connect ${info.connector.name}` : 'Connect';
  let body: React.ReactNode;
  if (done && info)
    body = (
      <p className="ok-box" role="status">
        {info.connector.name} is connected for {info.customer.name}. You can close this page.
      </p>
    );
  else if (error) body = <ErrorMessage error={error} />;
  else if (!info) body = <Loading what="Checking the link" />;
  else if (info.scheme === 'oauth2')
    body = (
      <>
        <p>You will sign in with {info.connector.name} and allow access; then you come back here.</p>
        <button
          type="button"
          onClick={async () => {
            const answer = await startOAuth(token);
            if (answer.ok && answer.value.url) window.location.assign(answer.value.url);
            else setError(answer.ok ? 'This connector has no sign-in page.' : answer.error);
          }}
        >
          Continue to {info.connector.name}
        </button>
      </>
    );
  else if (info.fields.length === 0)
    body = <p>{info.connector.name} needs no credentials: the customer is connected already.</p>;
  else
    body = (
      <>
        <p>
          {info.connected ? 'Replace the credentials' : 'Enter the credentials'} {info.customer.name} uses
          with {info.connector.name}. They are encrypted and never shown again.
        </p>
        <ErrorMessage error={formError} />
        <CredentialsForm
          fields={info.fields}
          onSubmit={async (values) => {
            const answer = await saveCredentials(token, credentialsFrom(info.fields, values));
            if (answer.ok) setDone(true);
            else setFormError(answer.error);
          }}
        />
        <p className="muted">This link works once, until {new Date(info.expires_at).toLocaleString()}.</p>
      </>
    );
  return (
    <main id="main" className="login">
      <section className="card login-card" aria-labelledby="page-title">
        <h1 id="page-title">{title}</h1>
        {info && <p className="muted">for {info.customer.name}</p>}
        {body}
      </section>
    </main>
  );
}
