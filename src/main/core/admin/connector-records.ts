import { randomBytes } from 'node:crypto';
import type { ImportedAuth } from '../connectors/openapi-import';
import type { AuthConfig, Connector, Workspace } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { now } from './common';
import { ToolError } from './registry';

export function requireConnector(ws: Workspace, id: string): Connector {
  const connector = ws.connectors[id] ?? Object.values(ws.connectors).find((c) => c.slug === id);
  if (!connector) {
    throw new ToolError(
      `No connector with id "${id}". Use list_connectors to see the ids, or create_connector / import_openapi / add_catalog_connector to add one.`,
    );
  }
  return connector;
}

export function assertSlugFree(ws: Workspace, slug: string, exceptId?: string): void {
  const clash = Object.values(ws.connectors).find((c) => c.slug === slug && c.id !== exceptId);
  if (clash || (!exceptId && ws.connectors[slug])) {
    throw new ToolError(
      `A connector with slug "${slug}" already exists (id "${clash?.id ?? slug}"). Pick another slug, or update that connector.`,
    );
  }
}

export const newId = (prefix: string) =>
  `${prefix}_${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x')}`;

/** Seals a string map (env, headers) for a connector; undefined when empty. */
export function sealMap(
  store: WorkspaceStore,
  map: Record<string, string> | undefined,
  context: string,
): string | undefined {
  if (!map || Object.keys(map).length === 0) return undefined;
  return store.secrets.seal(map, context);
}

/** A connector before it has an id and timestamps (distributes over the kinds). */
export type NewConnector = Connector extends infer C
  ? C extends Connector
    ? Omit<C, 'id' | 'createdAt' | 'updatedAt'>
    : never
  : never;

export type AuthDraft = Omit<AuthConfig, 'connectorId' | 'updatedAt'>;

/** Adds a new connector record (and its auth config) inside a mutation; the id is its slug. */
export function insertConnector(ws: Workspace, connector: NewConnector, auth?: AuthDraft | null): Connector {
  assertSlugFree(ws, connector.slug);
  const at = now();
  const record = { ...connector, id: connector.slug, createdAt: at, updatedAt: at } as Connector;
  ws.connectors[record.id] = record;
  if (auth) ws.authConfigs[record.id] = { ...auth, connectorId: record.id, updatedAt: at };
  return record;
}

/** The auth config an imported OpenAPI document implies (the OAuth client id is set later with set_auth_config). */
export function importedAuthDraft(auth: ImportedAuth | null): AuthDraft | null {
  if (!auth) return null;
  return {
    scheme: auth.scheme,
    in: auth.in,
    name: auth.name,
    oauth2: auth.oauth2 && { ...auth.oauth2, clientId: '' },
  };
}
