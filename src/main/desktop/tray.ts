// Binds the pure tray menu model (tray-menu.ts) to Electron's Tray and Menu, and
// dispatches its actions. Rebuilt from scratch on every state change: menus are tiny.
import { join } from 'node:path';
import {
  clipboard,
  Menu,
  type MenuItemConstructorOptions,
  type NativeImage,
  nativeImage,
  Tray,
} from 'electron';
import type { PorticoApp } from '../core/app';
import { notify } from './notify';
import {
  adminUrl,
  buildTrayMenu,
  type ClientId,
  type Plane,
  type TrayAction,
  type TrayMenuItem,
  type TrayState,
} from './tray-menu';

/** Writes a client's MCP config (contract section 5); resolves to a message for the user. */
export type RunClientsAdd = (
  client: ClientId,
  plane: Plane,
  customerId?: string,
) => Promise<string | undefined>;

export interface TrayDeps {
  resourcesDir: string;
  /** The running core, or null while starting / after it failed. */
  core: () => PorticoApp | null;
  /** Why the core is not running, if it failed. */
  error: () => string | undefined;
  openWindow: () => void;
  quit: () => void;
  /** Writes the client's config: add_client_config, as `portico clients add` does (clients-add.ts). */
  runClientsAdd: RunClientsAdd;
}

export interface PorticoTray {
  refresh(): void;
  destroy(): void;
}

const CLIENT_NAMES: Record<ClientId, string> = { 'claude-desktop': 'Claude Desktop', cursor: 'Cursor' };

function trayIcon(resourcesDir: string): NativeImage {
  // macOS wants a black template image it recolours for the menu bar (the @2x file is
  // picked up automatically); elsewhere the coloured app icon reads better.
  if (process.platform === 'darwin') {
    const image = nativeImage.createFromPath(join(resourcesDir, 'trayTemplate.png'));
    image.setTemplateImage(true);
    return image;
  }
  const size = process.platform === 'win32' ? 16 : 22;
  return nativeImage.createFromPath(join(resourcesDir, 'icon.png')).resize({ width: size, height: size });
}

export function currentTrayState(deps: Pick<TrayDeps, 'core' | 'error'>): TrayState {
  const core = deps.core();
  const error = deps.error();
  if (!core) {
    return {
      url: null,
      planes: { admin: false, gateway: false },
      customers: [],
      ...(error ? { error } : {}),
    };
  }
  const customers = Object.values(core.store.data.customers).map((c) => ({ id: c.id, name: c.name }));
  return { url: core.url, planes: core.planes(), customers };
}

async function addClient(deps: TrayDeps, client: ClientId, plane: Plane, customerId?: string): Promise<void> {
  const target = plane === 'admin' ? 'the admin MCP server' : `the gateway for ${customerId}`;
  try {
    const message = await deps.runClientsAdd(client, plane, customerId);
    notify(
      `Added to ${CLIENT_NAMES[client]}`,
      message ?? `Added ${target}. Restart ${CLIENT_NAMES[client]}.`,
    );
  } catch (error) {
    notify(
      `Could not add to ${CLIENT_NAMES[client]}`,
      error instanceof Error ? error.message : String(error),
    );
  }
}

function dispatch(deps: TrayDeps, action: TrayAction): void {
  const core = deps.core();
  switch (action.kind) {
    case 'set-plane':
      void core?.client('tray').call('set_plane_enabled', { plane: action.plane, enabled: action.enabled });
      return;
    case 'add-client':
      void addClient(deps, action.client, action.plane, action.customerId);
      return;
    case 'open-window':
      deps.openWindow();
      return;
    case 'copy-admin-url':
      if (core) clipboard.writeText(adminUrl(core.url));
      return;
    case 'quit':
      deps.quit();
      return;
  }
}

function toElectron(deps: TrayDeps, item: TrayMenuItem): MenuItemConstructorOptions {
  const { action } = item;
  return {
    id: item.id,
    label: item.label,
    type: item.type ?? 'normal',
    ...(item.checked !== undefined ? { checked: item.checked } : {}),
    ...(item.enabled !== undefined ? { enabled: item.enabled } : {}),
    ...(item.submenu ? { submenu: item.submenu.map((child) => toElectron(deps, child)) } : {}),
    ...(action ? { click: () => dispatch(deps, action) } : {}),
  };
}

export function createTray(deps: TrayDeps): PorticoTray {
  const tray = new Tray(trayIcon(deps.resourcesDir));
  tray.setToolTip('Portico');
  // Windows users expect a left click on the tray icon to open the app.
  if (process.platform === 'win32') tray.on('click', () => deps.openWindow());

  const refresh = (): void => {
    const state = currentTrayState(deps);
    tray.setToolTip(state.url ? `Portico — ${state.url}` : 'Portico');
    tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenu(state).map((item) => toElectron(deps, item))));
  };
  refresh();
  return { refresh, destroy: () => tray.destroy() };
}
