// How a connector's requests authenticate. Customers' own keys, tokens and passwords live in their
// connections; here only the scheme, where a key goes, and an OAuth app's settings (its client
// secret write-only: shown masked, never read back).
import type { ToolOutput } from '../../../../shared/registry';
import { Field } from '../../../common/controls';
import { ConfirmButton } from '../../../common/dialog';
import { ErrorMessage, QueryState, useToast } from '../../../common/feedback';
import { fieldError, useSchemaForm } from '../../../common/form';
import { Section } from '../../../common/page';
import { useTool, useToolMutation } from '../../../common/queries';
import { authDefaults, authFormSchema, authInput } from '../lib/auth-form';

type Connector = ToolOutput<'get_connector'>;
type AuthConfig = ToolOutput<'get_auth_config'>;

const SCHEME_NOTES: Record<string, string> = {
  none: 'Requests carry no credentials.',
  api_key: "Each customer's connection holds their API key; Portico sends it where you say.",
  bearer: "Each customer's connection holds their token, sent as Authorization: Bearer.",
  basic: "Each customer's connection holds a username and password (HTTP Basic).",
  oauth2: 'Customers connect through the provider; Portico stores and refreshes their tokens.',
};

function AuthForm({ connector, config }: { connector: Connector; config: AuthConfig | undefined }) {
  const save = useToolMutation('set_auth_config');
  const remove = useToolMutation('delete_auth_config');
  const toast = useToast();
  const form = useSchemaForm(authFormSchema, authDefaults(config));
  const scheme = form.watch('scheme');
  const grant = form.watch('grant');
  const errors = form.formState.errors as Record<string, unknown>;
  const storedSecret = config?.oauth2?.client_secret;
  const submit = form.handleSubmit((values) =>
    save.mutate(authInput(connector.id, values), {
      onSuccess: (value) => {
        toast.success(`Saved ${connector.name}'s auth config (${value.scheme}).`);
        form.reset(authDefaults(value));
      },
      onError: (error) => toast.error(error),
    }),
  );
  return (
    <form onSubmit={submit} noValidate aria-label="Auth config">
      <Field label="Scheme" error={fieldError(errors, 'scheme')} hint={SCHEME_NOTES[scheme]}>
        {(props) => (
          <select {...props} {...form.register('scheme')}>
            <option value="none">none</option>
            <option value="api_key">api_key — an API key in a header or query parameter</option>
            <option value="bearer">bearer — a token</option>
            <option value="basic">basic — username and password</option>
            <option value="oauth2">oauth2</option>
          </select>
        )}
      </Field>
      {scheme === 'api_key' && (
        <div className="form-columns">
          <Field label="Key goes in" error={fieldError(errors, 'in')}>
            {(props) => (
              <select {...props} {...form.register('in')}>
                <option value="header">a header</option>
                <option value="query">a query parameter</option>
              </select>
            )}
          </Field>
          <Field
            label="Header or parameter name"
            error={fieldError(errors, 'name')}
            hint='e.g. "X-API-Key" or "api_key".'
          >
            {(props) => <input {...props} autoComplete="off" {...form.register('name')} />}
          </Field>
        </div>
      )}
      {scheme === 'oauth2' && (
        <>
          <Field label="Grant" error={fieldError(errors, 'grant')}>
            {(props) => (
              <select {...props} {...form.register('grant')}>
                <option value="authorization_code">authorization_code (customers consent, with PKCE)</option>
                <option value="client_credentials">client_credentials (app-to-app)</option>
              </select>
            )}
          </Field>
          <div className="form-columns">
            <Field label="Client id" error={fieldError(errors, 'client_id')}>
              {(props) => <input {...props} autoComplete="off" {...form.register('client_id')} />}
            </Field>
            <Field
              label="Client secret"
              error={fieldError(errors, 'client_secret')}
              hint={
                storedSecret
                  ? `Stored (${storedSecret}). It is never shown; saving replaces it, so enter it again or it is removed.`
                  : 'Write-only: stored encrypted, never shown again.'
              }
            >
              {(props) => (
                <input
                  {...props}
                  type="password"
                  autoComplete="new-password"
                  placeholder={storedSecret ?? ''}
                  {...form.register('client_secret')}
                />
              )}
            </Field>
          </div>
          {grant !== 'client_credentials' && (
            <Field label="Authorize URL" error={fieldError(errors, 'authorize_url')}>
              {(props) => <input {...props} type="url" {...form.register('authorize_url')} />}
            </Field>
          )}
          <Field label="Token URL" error={fieldError(errors, 'token_url')}>
            {(props) => <input {...props} type="url" {...form.register('token_url')} />}
          </Field>
          <Field label="Scopes" hint="Separated by spaces or commas.">
            {(props) => <input {...props} {...form.register('scopes')} />}
          </Field>
        </>
      )}
      <ErrorMessage error={save.error} title="Not saved" />
      <ErrorMessage error={remove.error} title="Not removed" />
      <div className="inline">
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save auth config'}
        </button>
        {config && (
          <ConfirmButton
            label="Remove auth config"
            title="Remove the auth config?"
            message={
              <p>
                {connector.name}'s requests will carry no credentials. Connections keep their stored
                credentials.
              </p>
            }
            confirmLabel="Remove"
            onConfirm={() =>
              remove.mutateAsync({ connector_id: connector.id }).then(
                (value) => {
                  toast.success(value.message);
                  form.reset(authDefaults(undefined));
                },
                (error: unknown) => toast.error(error),
              )
            }
          />
        )}
      </div>
    </form>
  );
}

export function AuthConfigSection({ connector }: { connector: Connector }) {
  const configured = connector.auth_scheme !== 'none';
  const auth = useTool('get_auth_config', { connector_id: connector.id }, { enabled: configured });
  return (
    <Section title="Authentication">
      {connector.kind === 'mcp' ? (
        <p className="muted">
          An MCP server gets its credentials from the environment or headers above, or from each customer's
          connection.
        </p>
      ) : configured && !auth.data ? (
        <QueryState query={auth} what="the auth config" />
      ) : (
        <AuthForm
          key={configured ? (auth.data?.updated_at ?? 'loading') : 'none'}
          connector={connector}
          config={configured ? auth.data : undefined}
        />
      )}
    </Section>
  );
}
