import type { AuthInput } from '../../../shared/schemas/auth-input';
import type { WorkspaceStore } from '../store/workspace-store';
import { httpUrl } from './common';
import type { AuthDraft } from './connector-records';
import { ToolError } from './registry';

/** Validates an auth input and turns it into a stored auth config (client secret sealed). */
export function toAuthDraft(input: AuthInput, store: WorkspaceStore, connectorId: string): AuthDraft {
  const o = { ...input, ...(input.oauth2 ?? {}) };
  switch (input.scheme) {
    case 'none':
    case 'bearer':
    case 'basic':
      return { scheme: input.scheme };
    case 'api_key': {
      const where = input.api_key?.in ?? input.in ?? 'header';
      const name = input.api_key?.name ?? input.name ?? (where === 'header' ? 'X-API-Key' : 'api_key');
      return { scheme: 'api_key', in: where, name };
    }
    case 'oauth2': {
      const grant = o.grant ?? 'authorization_code';
      if (!o.client_id)
        throw new ToolError("oauth2 needs `client_id` (from the provider's app registration).");
      if (!o.token_url) throw new ToolError("oauth2 needs `token_url` (the provider's token endpoint).");
      if (grant === 'authorization_code' && !o.authorize_url) {
        throw new ToolError(
          "oauth2 authorization_code needs `authorize_url` (the provider's authorization endpoint).",
        );
      }
      if (grant === 'client_credentials' && !o.client_secret)
        throw new ToolError('oauth2 client_credentials needs `client_secret`.');
      return {
        scheme: 'oauth2',
        oauth2: {
          grant,
          clientId: o.client_id,
          clientSecret: o.client_secret
            ? store.secrets.seal(o.client_secret, `auth:${connectorId}`)
            : undefined,
          authorizeUrl: o.authorize_url ? httpUrl(o.authorize_url, 'authorize_url') : undefined,
          tokenUrl: httpUrl(o.token_url, 'token_url'),
          scopes: o.scopes ?? [],
        },
      };
    }
  }
}
