// The one way the page reaches the admin registry, typed from the shared contracts: the
// preload's IPC client in the desktop app, /api over HTTP when served by `portico serve`.
import { httpRegistryClient, type RegistryClient } from '../shared/registry';

export const registry: RegistryClient = window.portico?.registry ?? httpRegistryClient();

/**
 * Whether the page may call the registry yet. The desktop window always may. The web UI needs
 * an admin session, which the sign-in (a later issue) provides; until then its calls would only
 * be refused (HTTP 401), so it shows what the public /healthz says instead.
 */
export const registryReady: boolean = window.portico !== undefined;

/** Calls `listener` when the workspace changes, where the page can hear of it (the desktop app). */
export function onWorkspaceChange(listener: () => void): (() => void) | undefined {
  return window.portico?.onChange(listener);
}
