// The credential form of one connector, matching its auth scheme: the scheme's fields (secrets
// typed hidden), OAuth consent through "Connect", or free-form env/headers. Used to create a
// connection and to replace its credentials.
import { useState } from 'react';
import { credentialsFrom } from '../../../../shared/schemas/credential-fields';
import { type Credentials, credentialsSchema } from '../../../../shared/schemas/credentials';
import { Field } from '../../../common/controls';
import { ErrorMessage, Loading } from '../../../common/feedback';
import type { Connector } from '../hooks/use-connections';
import { useCredentialNeeds } from '../hooks/use-credential-needs';
import { OAuthConnect } from './oauth-connect';
import { type Pair, PairsEditor, pairsRecord } from './pairs-editor';

export function CredentialsForm({
  connector,
  customerId,
  submitLabel,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  connector: Connector;
  customerId: string;
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit(credentials: Credentials): void;
  onCancel(): void;
}) {
  const needs = useCredentialNeeds(connector);
  const [values, setValues] = useState<Record<string, string>>({});
  const [pairs, setPairs] = useState<Pair[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  if (needs.loading) return <Loading what="Loading the connector's auth scheme" />;
  if (needs.error) return <ErrorMessage error={needs.error} title="Could not load the auth scheme" />;
  if (needs.oauthConsent)
    return <OAuthConnect connector={connector} customerId={customerId} onCancel={onCancel} />;

  const submit = () => {
    const missing: Record<string, string> = {};
    for (const f of needs.fields)
      if (!f.optional && !(values[f.path] ?? '').trim()) missing[f.path] = `${f.label} is required.`;
    setErrors(missing);
    if (Object.keys(missing).length) return;
    const built: Credentials = credentialsFrom(needs.fields, values);
    const extra = needs.freeForm ? pairsRecord(pairs) : undefined;
    const parsed = credentialsSchema.safeParse(
      extra && needs.freeForm
        ? { ...built, [needs.freeForm]: { ...built[needs.freeForm], ...extra } }
        : built,
    );
    if (!parsed.success) {
      setFormError(
        parsed.error.issues.map((i) => `${i.path.join('.') || 'credentials'}: ${i.message}`).join('; '),
      );
      return;
    }
    setFormError(undefined);
    onSubmit(parsed.data);
  };

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <p className="field-hint">
        Auth scheme: <strong>{needs.scheme}</strong>
        {needs.hint ? ` — ${needs.hint}` : ''}
      </p>
      {needs.fields.map((f) => (
        <Field key={f.path} label={f.label} error={errors[f.path]}>
          {(props) => (
            <input
              {...props}
              type={f.secret ? 'password' : 'text'}
              autoComplete={f.secret ? 'new-password' : 'off'}
              placeholder={f.placeholder}
              value={values[f.path] ?? ''}
              onChange={(e) => setValues({ ...values, [f.path]: e.target.value })}
            />
          )}
        </Field>
      ))}
      {needs.fields.length === 0 && !needs.freeForm && (
        <p>Nothing to enter: this connector authenticates with the workspace's own client credentials.</p>
      )}
      {needs.freeForm && (
        <>
          {!needs.hint && (
            <p className="field-hint">
              This connector has no auth scheme. If its server needs credentials, add them as{' '}
              {needs.freeForm === 'env' ? 'environment variables' : 'headers'}; otherwise leave this empty.
            </p>
          )}
          <PairsEditor kind={needs.freeForm} pairs={pairs} onChange={setPairs} />
        </>
      )}
      {formError && <ErrorMessage error={formError} />}
      <ErrorMessage error={error} title="Not saved" />
      <footer className="dialog-footer">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
      </footer>
    </form>
  );
}
