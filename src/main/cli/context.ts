import { ActivityLog } from '../core/activity/activity-log';
import { adminRegistry, type RegistryClient } from '../core/admin';
import type { AdminServices, CallResult } from '../core/admin/registry';
import { KeyUsage } from '../core/auth/key-usage';
import { EventBus } from '../core/events/event-bus';
import { GatewayRuntime } from '../core/gateway/gateway-runtime';
import { readLocalCredential, readServerInfo, type ServerInfo } from '../core/store/server-info';
import { WorkspaceStore } from '../core/store/workspace-store';
import { createLogger } from '../core/util/log';
import { WebhookDispatcher } from '../core/webhooks/dispatcher';
import { callThroughServer } from './remote';

/** Where one command's admin calls go. */
export interface CliRegistry {
  /** The registry, typed. */
  client: RegistryClient;
  /** Any tool by name (`portico admin TOOL`). */
  call(name: string, args: unknown): Promise<CallResult>;
  /** 'server': through the running server (the one writer); 'direct': on the database in this process. */
  via: 'server' | 'direct';
  /** The running server, if any. */
  server: ServerInfo | null;
  close(): Promise<void>;
}

export interface CliTarget {
  dataDir: string;
  /** postgres://… (team mode); else the data dir's SQLite file. */
  databaseUrl?: string;
  /** Read-only commands open nothing for writing and create, move or change no file. */
  readOnly: boolean;
}

const typed = (call: CliRegistry['call']): RegistryClient => ({
  call: (name, input) => call(name, input) as never,
});

/**
 * The admin registry for one CLI command. While a server runs for the data dir, every call goes
 * through it — it is the one writer, and open sessions see the change at once — authenticated by
 * the local credential only this OS user can read. Otherwise the registry runs in this process
 * on the database (read-only commands open it read-only).
 */
export async function openCliRegistry(target: CliTarget): Promise<CliRegistry> {
  const server = readServerInfo(target.dataDir);
  const credential = server?.url ? readLocalCredential(target.dataDir) : null;
  if (server?.url && credential) return remoteRegistry({ ...server, url: server.url }, credential);
  return directRegistry(target, server);
}

function remoteRegistry(server: ServerInfo & { url: string }, credential: string): CliRegistry {
  const call = (name: string, args: unknown) => callThroughServer(server, credential, name, args);
  return { client: typed(call), call, via: 'server', server, close: async () => {} };
}

/** The admin services of this process on the data dir's database (no server involved). */
export async function openCliServices(
  target: CliTarget,
  server: ServerInfo | null = readServerInfo(target.dataDir),
): Promise<{ services: AdminServices; close(): Promise<void> }> {
  const log = createLogger();
  const store = await WorkspaceStore.open({ ...target, log });
  const events = new EventBus();
  const activity = new ActivityLog(store.database, log);
  // Queue-only: events from a CLI command are delivered by the server (the next one to run).
  const webhooks = new WebhookDispatcher({ store, log });
  webhooks.attach(events);
  const gateway = target.readOnly
    ? undefined
    : new GatewayRuntime({ store, activity, events, log, serverUrl: () => server?.url ?? null });
  const services: AdminServices = {
    store,
    keyUsage: await KeyUsage.load(store.database),
    events,
    activity,
    webhooks,
    pipeline: gateway?.pipeline,
    server: () => server,
  };
  return {
    services,
    async close() {
      await activity.flush();
      await webhooks.flush();
      await gateway?.close();
      await store.close();
    },
  };
}

async function directRegistry(target: CliTarget, server: ServerInfo | null): Promise<CliRegistry> {
  const { services, close } = await openCliServices(target, server);
  const registry = adminRegistry();
  const call = (name: string, args: unknown) => registry.call(name, args, services, { entryPoint: 'cli' });
  return { client: typed(call), call, via: 'direct', server, close };
}
