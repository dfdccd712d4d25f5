// Binds the pure tray model (tray-menu.ts) to Electron's Tray and Menu: the icon per state, the
// tooltip, the menu rebuilt from a fresh snapshot on every change (menus are tiny), and each
// item's click dispatched as a TrayAction. Electron is passed in (electron-api.ts).
import type { DesktopElectron, MenuItemOptions, TrayApi } from './electron-api';
import {
  approvalsLabel,
  buildTrayMenu,
  type TrayAction,
  type TrayIconState,
  type TrayMenuItem,
  type TraySnapshot,
  trayIconState,
} from './tray-menu';

export interface TrayDeps {
  electron: Pick<DesktopElectron, 'Tray' | 'Menu'>;
  /** The icon file for a state (tray-icons.ts, when present). */
  iconFor: (state: TrayIconState) => string;
  /** Reads what the menu shows now. */
  snapshot: () => Promise<TraySnapshot>;
  dispatch: (action: TrayAction) => void;
  /** Windows users expect a left click on the icon to open the app. */
  openOnClick: boolean;
  log: (line: string) => void;
}

export interface PorticoTray {
  /** Rebuilds the menu from a fresh snapshot; resolves once the menu shows it. */
  refresh(): Promise<void>;
  /** The menu as last built. */
  items(): TrayMenuItem[];
  /** Clicks an item by id, exactly as the menu would; false when there is no such enabled item. */
  click(id: string): boolean;
  destroy(): void;
}

/** The action of an item that a user could click: it and every menu above it enabled. */
function enabledAction(items: readonly TrayMenuItem[], id: string): TrayAction | undefined {
  for (const item of items) {
    if (item.enabled === false) continue;
    if (item.id === id) return item.action;
    const inner = item.submenu && enabledAction(item.submenu, id);
    if (inner) return inner;
  }
  return undefined;
}

export function createTray(deps: TrayDeps): PorticoTray {
  let icon: TrayIconState = 'plane-off';
  const tray: TrayApi = new deps.electron.Tray(deps.iconFor(icon));
  tray.setToolTip('Portico');
  if (deps.openOnClick) tray.on('click', () => deps.dispatch({ kind: 'open-window' }));

  let items: TrayMenuItem[] = [];
  let destroyed = false;

  const toElectron = (item: TrayMenuItem): MenuItemOptions => {
    const { action } = item;
    return {
      id: item.id,
      label: item.label,
      type: item.type ?? 'normal',
      ...(item.checked !== undefined ? { checked: item.checked } : {}),
      ...(item.enabled !== undefined ? { enabled: item.enabled } : {}),
      ...(item.submenu ? { submenu: item.submenu.map(toElectron) } : {}),
      ...(action ? { click: () => deps.dispatch(action) } : {}),
    };
  };

  const show = (snapshot: TraySnapshot): void => {
    if (destroyed) return;
    items = buildTrayMenu(snapshot);
    const state = trayIconState(snapshot);
    if (state !== icon) {
      icon = state;
      tray.setImage(deps.iconFor(state));
    }
    const waiting =
      snapshot.phase === 'running' && snapshot.approvals.length
        ? ` · ${approvalsLabel(snapshot.approvals.length)}`
        : '';
    tray.setToolTip(`${snapshot.url ? `Portico — ${snapshot.url}` : 'Portico'}${waiting}`);
    tray.setContextMenu(deps.electron.Menu.buildFromTemplate(items.map(toElectron)));
  };

  // One read at a time; changes during a read make one more read after it (the last state wins).
  let running: Promise<void> | undefined;
  let again = false;
  const refresh = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          try {
            show(await deps.snapshot());
          } catch (error) {
            deps.log(`Could not refresh the tray: ${error instanceof Error ? error.message : String(error)}`);
          }
        } while (again && !destroyed);
      } finally {
        // Cleared in the same step as the last check of `again`: a refresh asked for after it starts anew.
        running = undefined;
      }
    })();
    return running;
  };

  return {
    refresh,
    items: () => items,
    click(id) {
      const action = enabledAction(items, id);
      if (!action) return false;
      deps.dispatch(action);
      return true;
    },
    destroy() {
      destroyed = true;
      tray.destroy();
    },
  };
}
