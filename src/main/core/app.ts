import { ActivityLog } from './activity/activity-log';
import { createAdminRegistry } from './admin';
import { mintKey } from './admin/keys';
import type { AdminContext } from './admin/registry';
import { KeyUsage } from './auth/key-usage';
import { EventBus } from './events/event-bus';
import { GatewayRuntime } from './gateway/gateway-runtime';
import { watchToolChanges } from './gateway/list-changed';
import { createLogger, type Logger } from './log';
import { PorticoHttpServer } from './server/http-server';
import { claimServer, effectivePlanes, type ServerInfo } from './server/server-info';
import type { BackendFactory } from './store/backend';
import type { PlaneName } from './store/schema';
import type { KeyProvider } from './store/secrets';
import { WorkspaceStore } from './store/workspace-store';
import { VERSION } from './version';
import { WebhookDispatcher } from './webhooks/dispatcher';

export interface StartOptions {
  dataDir: string;
  host?: string;
  port?: number;
  noAdmin?: boolean;
  noGateway?: boolean;
  keyProvider?: KeyProvider;
  backend?: BackendFactory;
  /** The built renderer, served as the web UI. */
  staticDir?: string;
  log?: (line: string) => void;
}

export interface PorticoApp {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly store: WorkspaceStore;
  readonly adminContext: AdminContext;
  planes(): Record<PlaneName, boolean>;
  setPlaneEnabled(plane: PlaneName, enabled: boolean): void;
  onChange(listener: () => void): () => void;
  listCustomers(): { id: string; name: string }[];
  /** Open MCP sessions per plane (for tests and status: sessions must not leak). */
  sessionCount(): Record<PlaneName, number>;
  registry: {
    call(name: string, args: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: string }>;
  };
  close(): Promise<void>;
}

/** Formats a loopback-friendly URL for a bound host. */
export function baseUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** Starts the gateway (both planes, web UI, /healthz) for one data dir. */
export async function startPortico(options: StartOptions): Promise<PorticoApp> {
  const log: Logger = createLogger(options.log);
  const store = WorkspaceStore.open({
    dataDir: options.dataDir,
    keyProvider: options.keyProvider,
    backend: options.backend,
  });
  const host = options.host ?? store.data.settings.host;
  const port = options.port ?? store.data.settings.port;
  let info: ServerInfo = {
    pid: process.pid,
    url: null,
    host,
    port: null,
    startedAt: new Date().toISOString(),
    version: VERSION,
    offForRun: [
      ...(options.noAdmin ? ['admin' as const] : []),
      ...(options.noGateway ? ['gateway' as const] : []),
    ],
  };
  const claim = claimServer(options.dataDir, info);
  const keyUsage = new KeyUsage(options.dataDir);
  const registry = createAdminRegistry();
  const events = new EventBus();
  const activity = new ActivityLog(options.dataDir);
  const webhooks = new WebhookDispatcher({ store, dataDir: options.dataDir, log });
  const detachWebhooks = webhooks.attach(events);
  const adminContext: AdminContext = { store, keyUsage, events, activity, webhooks, server: () => info };
  const planes = () => effectivePlanes(store.data.settings, info);
  let http: PorticoHttpServer | undefined;
  const gateway = new GatewayRuntime({
    store,
    activity,
    events,
    log,
    serverUrl: () => info.url,
    forwardLog: (customerId, params) => {
      for (const s of http?.hubs.gateway.sessions(customerId ?? undefined) ?? []) {
        void s.server.sendLoggingMessage(params as never).catch(() => {});
      }
    },
  });
  http = new PorticoHttpServer({
    store,
    registry,
    adminContext,
    keyUsage,
    gateway,
    planes,
    log,
    staticDir: options.staticDir,
  });
  const server = http;
  let bound: { host: string; port: number };
  try {
    bound = await server.listen(host, port);
  } catch (error) {
    detachWebhooks();
    await gateway.close();
    claim.release();
    throw error;
  }
  const url = baseUrl(bound.host, bound.port);
  info = { ...info, url, port: bound.port };
  claim.publish(info);
  webhooks.start();

  const stopWatching = store.watch((message) => log(message));
  const stopToolWatch = watchToolChanges(store, server.hubs.gateway);
  // Revoked keys and deleted customers lose their open sessions at once.
  const offChange = store.onChange(() => {
    const ws = store.data;
    const dead = (owner: { keyId: string; customerId?: string }) =>
      !ws.apiKeys[owner.keyId] ||
      Boolean(ws.apiKeys[owner.keyId]?.revokedAt) ||
      (owner.customerId !== undefined && !ws.customers[owner.customerId]);
    void server.hubs.admin.closeWhere(dead);
    void server.hubs.gateway.closeWhere(dead);
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    host: bound.host,
    port: bound.port,
    store,
    adminContext,
    planes,
    setPlaneEnabled(plane, enabled) {
      void registry.call('set_plane_enabled', { plane, enabled }, adminContext);
    },
    onChange(listener) {
      return store.onChange(() => listener());
    },
    listCustomers() {
      return Object.values(store.data.customers).map((c) => ({ id: c.id, name: c.name }));
    },
    sessionCount: () => ({ admin: server.hubs.admin.size, gateway: server.hubs.gateway.size }),
    registry: { call: (name, args) => registry.call(name, args, adminContext) },
    close() {
      closing ??= (async () => {
        offChange();
        stopWatching();
        stopToolWatch();
        await server.close();
        detachWebhooks();
        await webhooks.stop();
        await gateway.close();
        await activity.flush();
        await keyUsage.flush().catch(() => {});
        store.close();
        claim.release();
      })();
      return closing;
    },
  };
}

/** On a first start with no API keys, mints an admin key; returns it (to be shown once) or null. */
export function ensureFirstAdminKey(store: WorkspaceStore): string | null {
  if (Object.keys(store.data.apiKeys).length > 0) return null;
  const key = store.mutate((ws) => {
    if (Object.keys(ws.apiKeys).length > 0) return null;
    return mintKey(ws, { name: 'First admin key', scope: 'admin' }).key;
  });
  // On disk before it is shown: a key printed must survive a crash right after.
  store.flushSync();
  return key;
}
