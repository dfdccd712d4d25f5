// Held tool changes on the desktop: when an upstream MCP server changes a tool's definition after
// it was approved, the tool is held back from customers until an admin reviews the change. One
// notification per connector and burst of changes (a refresh may change many tools at once), with
// how many findings the scan flagged; a click opens the window's Tool changes page.
import type { PorticoApp } from '../core/app';
import type { PorticoEvent } from '../core/events/event-bus';
import type { Notify } from './notifications';
import { toolChangesNotice } from './notifications';

interface Held {
  tools: string[];
  findings: number;
}

/** Collects tool.changed events and tells of each connector's burst once, a moment later. */
export class ToolChangeAlerts {
  readonly #pending = new Map<string, Held>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly notify: Notify,
    private readonly connectorName: (connectorId: string) => string,
    private readonly delayMs = 200,
  ) {}

  changed(connectorId: string, tool: string, findings: number): void {
    const held = this.#pending.get(connectorId) ?? { tools: [], findings: 0 };
    held.tools.push(tool);
    held.findings += findings;
    this.#pending.set(connectorId, held);
    this.#timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [connectorId, held] of this.#pending)
      this.notify(toolChangesNotice(this.connectorName(connectorId), held.tools, held.findings));
    this.#pending.clear();
  }
}

/** Watches one running core's tool.changed events; returns the function that stops watching. */
export function watchToolChanges(core: PorticoApp, notify: Notify): () => void {
  const alerts = new ToolChangeAlerts(notify, (id) => core.store.data.connectors[id]?.name.trim() || id);
  const off = core.services.events.on((event: PorticoEvent) => {
    if (event.type !== 'tool.changed') return;
    const { connector_id, tool, findings } = event.data;
    if (typeof connector_id !== 'string' || typeof tool !== 'string') return;
    alerts.changed(connector_id, tool, typeof findings === 'number' ? findings : 0);
  });
  return () => {
    off();
    alerts.flush();
  };
}
