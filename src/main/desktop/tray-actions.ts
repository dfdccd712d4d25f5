// What the tray's items (and the start problem's dialog) do. Every workspace change goes through
// the admin registry as the tray ('tray' in the activity log); results and failures become
// notifications. Electron is passed in.
import { clientIdSchema } from '../../shared/admin/client-configs';
import { decideFromDesktop } from './approval-alerts';
import { addClientConfig } from './clients-add';
import type { CoreHost } from './core-host';
import type { DesktopElectron } from './electron-api';
import type { LoginItem } from './login-item';
import { clientAddedNotice, clientAddFailedNotice, type Notify } from './notifications';
import {
  CHOICE_LABELS,
  type ProblemChoice,
  problemChoices,
  problemDetail,
  problemHeadline,
  runningServerLink,
} from './start-problem';
import { adminUrl, type TrayAction } from './tray-menu';
import type { WindowManager } from './window';

export interface TrayActionDeps {
  electron: Pick<DesktopElectron, 'app' | 'clipboard' | 'shell' | 'dialog'>;
  host: CoreHost;
  dataDir: string;
  notify: Notify;
  login: LoginItem;
  windows: () => WindowManager | null;
  /** Rebuild the tray menu (after a change the workspace does not announce, e.g. start at login). */
  refresh: () => void;
  /** The port the user asked for (env, or the one picked after a clash); undefined: the workspace's. */
  configuredPort: () => number | undefined;
  /** Keep the port picked after a clash for the next start. */
  rememberPort: (port: number) => void;
  log: (line: string) => void;
}

export interface TrayActions {
  dispatch(action: TrayAction): void;
  /** Runs one way out of a start problem; resolves when done (the core restarted, the browser opened). */
  choose(choice: ProblemChoice): Promise<void>;
  /** When the gateway failed to start, says so over the (shown) window and offers the ways out. */
  offerProblem(): void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createTrayActions(deps: TrayActionDeps): TrayActions {
  const { electron, host } = deps;
  let dialogOpen = false;

  const choose = async (choice: ProblemChoice): Promise<void> => {
    switch (choice) {
      case 'use-running': {
        const link = await runningServerLink(deps.dataDir);
        if (!link.ok) return deps.notify({ title: 'Could not use the running server', body: link.error });
        await electron.shell.openExternal(link.url);
        return;
      }
      case 'pick-port': {
        const state = await host.start(0);
        if (state.phase === 'running') {
          deps.rememberPort(state.app.port);
          deps.log(`Picked port ${state.app.port}; Portico starts there from now on.`);
        }
        return;
      }
      case 'retry':
        await host.start(deps.configuredPort());
        return;
    }
  };

  const addClient = async (action: Extract<TrayAction, { kind: 'add-client' }>) => {
    const client = clientIdSchema.safeParse(action.client);
    const app = host.app;
    try {
      if (!client.success) throw new Error(`${action.client} is not a client Portico can configure.`);
      if (!app) throw new Error('Portico is not running.');
      const result = await addClientConfig(app.client('tray'), client.data, action.plane, action.customerId);
      deps.notify(clientAddedNotice(result));
    } catch (error) {
      deps.notify(clientAddFailedNotice(action.clientName, message(error)));
    }
  };

  const setPlane = async (plane: 'admin' | 'gateway', enabled: boolean) => {
    const app = host.app;
    if (!app) return;
    const result = await app.client('tray').call('set_plane_enabled', { plane, enabled });
    if (!result.ok) deps.notify({ title: 'Could not switch the plane', body: result.error });
    deps.refresh();
  };

  const decide = async (action: Extract<TrayAction, { kind: 'decide-approval' }>) => {
    const app = host.app;
    if (!app) return;
    await decideFromDesktop(
      app.client('tray'),
      deps.notify,
      { id: action.approvalId, tool: action.tool },
      action.decision,
      action.remember,
    );
    deps.refresh();
  };

  const dispatch = (action: TrayAction): void => {
    switch (action.kind) {
      case 'set-plane':
        void setPlane(action.plane, action.enabled);
        return;
      case 'add-client':
        void addClient(action);
        return;
      case 'open-window':
        deps.windows()?.show(action.route);
        return;
      case 'copy-admin-url': {
        const app = host.app;
        if (app) electron.clipboard.writeText(adminUrl(app.url));
        return;
      }
      case 'set-start-at-login':
        try {
          deps.login.set(action.enabled);
        } catch (error) {
          deps.notify({ title: 'Could not change Start at login', body: message(error) });
        }
        deps.refresh();
        return;
      case 'decide-approval':
        void decide(action);
        return;
      case 'problem':
        void choose(action.choice).catch((error: unknown) => deps.log(message(error)));
        return;
      case 'quit':
        electron.app.quit();
        return;
    }
  };

  const offerProblem = (): void => {
    const state = host.state;
    if (state.phase !== 'failed' || dialogOpen) return;
    const choices = problemChoices(state.problem);
    dialogOpen = true;
    void electron.dialog
      .showMessageBox({
        type: 'warning',
        title: 'Portico',
        message: problemHeadline(state.problem),
        detail: problemDetail(state.problem),
        buttons: [...choices.map((choice) => CHOICE_LABELS[choice]), 'Close'],
        defaultId: 0,
        cancelId: choices.length,
        noLink: true,
      })
      .then(async ({ response }) => {
        dialogOpen = false;
        const choice = choices[response];
        if (choice) await choose(choice);
      })
      .catch((error: unknown) => {
        dialogOpen = false;
        deps.log(message(error));
      });
  };

  return { dispatch, choose, offerProblem };
}
