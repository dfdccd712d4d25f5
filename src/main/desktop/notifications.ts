// What the desktop app tells the user, as plain texts (tested without Electron), and the one
// function that shows them: a system notification where the OS has a notification service, and
// always one log line, so a message is never silently lost (a bare X session, CI).
import type { ToolOutput } from '../../shared/registry';
import type { DesktopElectron } from './electron-api';
import { problemDetail, problemHeadline, type StartProblem } from './start-problem';

export interface Notice {
  title: string;
  body: string;
  /** The window's page a click on the notification opens (e.g. "customers/acme"). */
  route?: string;
  /** Button texts (macOS, Windows); a click on one calls the notifier's `onAction` with its index. */
  actions?: string[];
}

/** Notifications carry one short paragraph; the OS truncates anything longer anyway. */
const MAX_BODY = 300;

function bounded(text: string, max = MAX_BODY): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** add_client_config's result: what was written where, and whether the client must restart. */
export function clientAddedNotice(r: ToolOutput<'add_client_config'>): Notice {
  const where = `${r.server_name} in ${r.path}`;
  if (r.change === 'unchanged') {
    return {
      title: `${r.display_name} already has Portico`,
      body: bounded(`${where} is current; nothing changed.`),
    };
  }
  const done = `${r.change === 'update' ? 'Updated' : 'Added'} ${where} with a new key.`;
  const warned = r.warnings.length ? ` ${r.warnings.join(' ')}` : '';
  const restart = r.restart_required
    ? ` Restart ${r.display_name} to use it: ${r.restart_hint}`
    : ` ${r.restart_hint}`;
  return { title: `Added to ${r.display_name}`, body: bounded(`${done}${warned}${restart}`) };
}

export function clientAddFailedNotice(clientName: string, error: string): Notice {
  return { title: `Could not add Portico to ${clientName}`, body: bounded(error), route: 'clients' };
}

export interface ConnectionLabel {
  customerId: string;
  customer: string;
  connector: string;
}

/** A connection's status turned expired or error (its OAuth grant lapsed, a test failed…). */
export function connectionStatusNotice(
  c: ConnectionLabel,
  status: 'expired' | 'error',
  reason: string | undefined,
): Notice {
  const what = `${c.customer}'s ${c.connector} connection`;
  return status === 'expired'
    ? {
        title: `${c.connector} connection expired`,
        body: bounded(`${what} has expired${reason ? ` (${reason})` : ''}. Reconnect it in Portico.`),
        route: `customers/${encodeURIComponent(c.customerId)}`,
      }
    : {
        title: `${c.connector} connection failing`,
        body: bounded(`${what} failed${reason ? `: ${reason}` : ''}. Check it in Portico.`),
        route: `customers/${encodeURIComponent(c.customerId)}`,
      };
}

/** Calls through one connection failed several times in a row. */
export function connectionFailingNotice(c: ConnectionLabel, failures: number, lastError: string): Notice {
  return {
    title: `${c.connector} calls keep failing`,
    body: bounded(
      `${failures} calls in a row through ${c.customer}'s ${c.connector} connection failed. Last: ${lastError}`,
    ),
    route: `customers/${encodeURIComponent(c.customerId)}`,
  };
}

export function startFailedNotice(problem: StartProblem): Notice {
  return { title: problemHeadline(problem), body: bounded(problemDetail(problem), 400) };
}

/** No OS protection for secrets here: said once, with what is used instead. */
export function secretsFallbackNotice(reason: string): Notice {
  return {
    title: 'Secrets are not in the OS keychain',
    body: bounded(
      `${reason}. Portico keeps connection secrets encrypted with its headless key store instead (the OS keyring, or a key file only your user can read); Overview shows which.`,
    ),
  };
}

/** The buttons of a notice asking for an approval, in this order (the action's index). */
export const APPROVAL_ACTIONS = ['Allow', 'Deny'] as const;

export interface ApprovalLabel {
  id: string;
  tool: string;
  customerId: string;
  /** The customer's name (its id when it has none). */
  customer: string;
  arguments: Record<string, unknown>;
}

/** Upstream tools changed after approval: held back from customers until reviewed. */
export function toolChangesNotice(connector: string, tools: readonly string[], findings: number): Notice {
  const names =
    tools.length > 3 ? `${tools.slice(0, 3).join(', ')} and ${tools.length - 3} more` : tools.join(', ');
  const flagged = findings
    ? ` ${findings} finding${findings === 1 ? '' : 's'} flagged (hidden characters or text aimed at the model): look closely.`
    : '';
  return {
    title: bounded(
      tools.length === 1 ? `${connector} changed a tool` : `${connector} changed ${tools.length} tools`,
      100,
    ),
    body: bounded(`${names}: held back from customers until you review the change.${flagged}`),
    route: 'tool-changes',
  };
}

/** A customer's call waits for a decision: Allow / Deny, or a click opens the Approvals page. */
export function approvalRequestNotice(a: ApprovalLabel): Notice {
  let args: string;
  try {
    args = JSON.stringify(a.arguments) ?? '{}';
  } catch {
    args = '{…}';
  }
  const who = a.customer === a.customerId ? a.customerId : `${a.customer} (${a.customerId})`;
  return {
    title: bounded(`Approve ${a.tool}?`, 100),
    body: bounded(`${who} · arguments: ${args}`, 200),
    route: 'approvals',
    actions: [...APPROVAL_ACTIONS],
  };
}

/** A decision from the desktop did not apply (decided elsewhere first, expired): the server's words. */
export function approvalDecisionFailedNotice(
  tool: string,
  decision: 'allow' | 'deny',
  error: string,
): Notice {
  return {
    title: bounded(`Could not ${decision} ${tool}`, 100),
    body: bounded(error),
    route: 'approvals',
  };
}

/** Notifications kept referenced, newest last. */
const KEPT_NOTIFICATIONS = 50;

/** Shows a notice; `onAction` hears which of its `actions` was clicked. */
export type Notify = (notice: Notice, onAction?: (index: number) => void) => void;

/** Shows notices as system notifications (when supported) and logs each one. */
export function createNotifier(
  electron: Pick<DesktopElectron, 'Notification'>,
  log: (line: string) => void,
  open: (route: string | undefined) => void,
): Notify {
  // Electron drops a notification's click and action events once the object is garbage collected:
  // the newest ones stay referenced here (a decision may come minutes later).
  const kept: object[] = [];
  return (notice, onAction) => {
    log(`${notice.title}: ${notice.body}`);
    if (!electron.Notification.isSupported()) return;
    const shown = new electron.Notification({
      title: notice.title,
      body: notice.body,
      ...(notice.actions?.length
        ? { actions: notice.actions.map((text) => ({ type: 'button' as const, text })) }
        : {}),
    });
    shown.on('click', () => open(notice.route));
    if (notice.actions?.length && onAction) {
      shown.on('action', (details, deprecatedIndex) => {
        const index = details?.actionIndex ?? deprecatedIndex;
        if (typeof index === 'number' && index >= 0 && index < (notice.actions?.length ?? 0)) onAction(index);
      });
    }
    shown.show();
    kept.push(shown);
    if (kept.length > KEPT_NOTIFICATIONS) kept.shift();
  };
}
