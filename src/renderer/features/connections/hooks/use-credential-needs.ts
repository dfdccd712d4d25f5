// What connecting a customer to a connector asks for, from the connector's auth scheme
// (get_auth_config) — the same field list the customer-facing connect page shows. A catalog
// connector without an auth config (most MCP servers) needs the env or headers its catalog entry's
// example names; other connectors without one get a free-form editor.
import { type CredentialField, credentialFields } from '../../../../shared/schemas/credential-fields';
import { authSchemeSchema } from '../../../../shared/schemas/entities';
import { useTool } from '../../../common/queries';
import type { Connector } from './use-connections';

export interface CredentialNeeds {
  loading: boolean;
  error: unknown;
  scheme: string;
  fields: CredentialField[];
  /** OAuth2 authorization code: the customer consents on the provider's page ("Connect"). */
  oauthConsent: boolean;
  /** Where free-form pairs go when the scheme names no fields. */
  freeForm?: 'env' | 'headers';
  /** The catalog entry's words on what to provide. */
  hint?: string;
}

export function useCredentialNeeds(connector: Connector | undefined): CredentialNeeds {
  const scheme = connector?.auth_scheme ?? 'none';
  const hasAuth = connector !== undefined && scheme !== 'none';
  const auth = useTool('get_auth_config', { connector_id: connector?.id ?? '' }, { enabled: hasAuth });
  const catalogId = connector?.catalog_id ?? undefined;
  const catalog = useTool(
    'list_catalog',
    { query: catalogId ?? '', limit: 50 },
    { enabled: catalogId !== undefined && scheme === 'none' },
  );
  const parsed = authSchemeSchema.safeParse(scheme);
  const a = auth.data;
  const entry = catalog.data?.entries.find((e) => e.catalog_id === catalogId);
  const fields = credentialFields({
    ...(parsed.success ? { scheme: parsed.data } : {}),
    ...(entry && scheme === 'none' ? { example: entry.credentials_example } : {}),
    ...(a?.in === 'header' || a?.in === 'query' ? { in: a.in } : {}),
    ...(a?.name ? { name: a.name } : {}),
  });
  const freeForm =
    scheme === 'none' && connector && fields.length === 0
      ? connector.kind === 'mcp' && connector.transport === 'stdio'
        ? 'env'
        : 'headers'
      : undefined;
  const hint = entry?.credentials_hint;
  return {
    loading:
      (hasAuth && auth.isPending) || (catalogId !== undefined && scheme === 'none' && catalog.isPending),
    error: auth.error,
    scheme,
    fields,
    oauthConsent: scheme === 'oauth2' && a?.oauth2?.grant === 'authorization_code',
    ...(freeForm ? { freeForm } : {}),
    ...(hint ? { hint } : {}),
  };
}
