import { ActivityLog, type EntryPoint } from './activity/activity-log';
import { startTelemetry } from './activity/otel';
import { adminRegistry, type RegistryClient } from './admin';
import { baseUrlOf } from './admin/client-entry';
import { mintKey } from './admin/keys';
import type { AdminServices, CallResult } from './admin/registry';
import { KeyUsage } from './auth/key-usage';
import { type ClientContext, sweepClientTempFiles } from './clients';
import { EventBus } from './events/event-bus';
import { GatewayRuntime } from './gateway/gateway-runtime';
import { onGrantRevoked } from './oauth/grants';
import { PorticoHttpServer } from './server/http-server';
import { watchToolChanges } from './server/list-changed';
import { LiveEvents } from './server/live-events';
import { type AccessPolicy, accessPolicy } from './server/request-guards';
import { sessionLimits } from './server/session-hub';
import type { PlaneName } from './store/schema';
import type { KeyProvider } from './store/secrets';
import { claimServer, effectivePlanes, externalUrl, type ServerInfo } from './store/server-info';
import { WorkspaceStore } from './store/workspace-store';
import { createLogger, type Logger } from './util/log';
import { VERSION } from './util/version';
import { WebhookDispatcher } from './webhooks/dispatcher';

export interface StartOptions {
  dataDir: string;
  /** postgres://… (team mode); otherwise SQLite in the data dir. */
  databaseUrl?: string;
  host?: string;
  port?: number;
  noAdmin?: boolean;
  noGateway?: boolean;
  keyProvider?: KeyProvider;
  /** Where clients and browsers reach this server (required to bind beyond loopback). */
  publicUrl?: string;
  /** Host names and origins allowed besides loopback and the public URL's. */
  allowedHosts?: string[];
  allowedOrigins?: string[];
  /**
   * OAuth for MCP clients (Protected Resource Metadata, the built-in authorization server, tokens on
   * both planes). Default: on with a public URL (team mode), off otherwise.
   */
  oauth?: boolean;
  /** An external OpenID Connect provider as the authorization server (implies oauth): its JWTs, checked against its JWKS. */
  oauthIssuer?: string;
  /** How long a webhook receiver may take to answer (default 10 s); a dead replica's claims pass on after 3×. */
  webhookTimeoutMs?: number;
  /** The built renderer, served as the web UI. */
  staticDir?: string;
  /** Seconds an MCP session may stay idle before it is closed (default 1800; ≥ 1). */
  sessionIdleTimeoutSeconds?: number;
  /** Open MCP sessions one API key may hold (default 1000). */
  maxSessionsPerKey?: number;
  log?: (line: string) => void;
  /**
   * The AI clients' config folders (the user's home): temp files a killed config write left there
   * are removed once after start. Only the real app and `portico serve` pass it.
   */
  clientConfigs?: ClientContext;
}

export interface PorticoApp {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly store: WorkspaceStore;
  readonly services: AdminServices;
  planes(): Record<PlaneName, boolean>;
  /** Workspace changes and recorded calls (coalesced): what the window refreshes on. */
  onChange(listener: () => void): () => void;
  /** A one-time sign-in link for the web UI. */
  loginLink(): string;
  /** Open MCP sessions per plane (for tests and status: sessions must not leak). */
  sessionCount(): Record<PlaneName, number>;
  /**
   * The admin registry, typed, for callers in this process (the tray, the window, the OAuth callback).
   * `pageView`: a person looking (the tray's menu): its reads are not recorded as activity.
   */
  client(entryPoint: EntryPoint, options?: { pageView?: boolean }): RegistryClient;
  /** Any tool by name, for callers that validate names themselves (IPC from the window). */
  callTool(name: string, args: unknown, entryPoint: EntryPoint): Promise<CallResult>;
  close(): Promise<void>;
}

/** Starts the gateway (both planes, web UI, /healthz) for one data dir. */
export async function startPortico(options: StartOptions): Promise<PorticoApp> {
  const log: Logger = createLogger(options.log);
  // Checked before anything is opened: a bad value fails the start and leaves nothing behind.
  const limits = sessionLimits({
    idleTimeoutSeconds: options.sessionIdleTimeoutSeconds,
    maxPerKey: options.maxSessionsPerKey,
  });
  const store = await WorkspaceStore.open({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    keyProvider: options.keyProvider,
    log,
  });
  const host = options.host ?? store.data.settings.host;
  const port = options.port ?? store.data.settings.port;
  let access: AccessPolicy;
  try {
    access = accessPolicy({
      host,
      publicUrl: options.publicUrl,
      allowedHosts: options.allowedHosts,
      allowedOrigins: options.allowedOrigins,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
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
    ...(options.publicUrl ? { publicUrl: new URL(options.publicUrl).origin } : {}),
  };
  let claim: ReturnType<typeof claimServer>;
  try {
    claim = claimServer(options.dataDir, info);
  } catch (error) {
    await store.close();
    throw error;
  }
  const keyUsage = await KeyUsage.load(store.database);
  const events = new EventBus();
  const activity = new ActivityLog(store.database, log);
  // OpenTelemetry only when OTEL_EXPORTER_OTLP_ENDPOINT is set: otherwise nothing is attached.
  const telemetry = startTelemetry(process.env, log, VERSION);
  const offTelemetry = telemetry ? activity.onRecord((entry) => telemetry.span(entry)) : undefined;
  activity.tracing = telemetry !== null;
  const webhooks = new WebhookDispatcher({
    store,
    log,
    ...(options.webhookTimeoutMs ? { timeoutMs: options.webhookTimeoutMs } : {}),
  });
  const detachWebhooks = webhooks.attach(events);
  const gateway = new GatewayRuntime({
    store,
    activity,
    events,
    log,
    serverUrl: () => externalUrl(info),
  });
  const services: AdminServices = {
    store,
    keyUsage,
    events,
    activity,
    webhooks,
    pipeline: gateway.pipeline,
    approvals: gateway.approvals,
    server: () => info,
  };
  const registry = adminRegistry(log);
  // A call starting or ending its wait for approval is news for the window, like a workspace change.
  const live = new LiveEvents(store, activity, [(listener) => gateway.approvals.onChange(listener)]);
  const planes = () => effectivePlanes(store.data.settings, info);
  const http = new PorticoHttpServer({
    store,
    registry,
    services,
    gateway,
    planes,
    log,
    staticDir: options.staticDir,
    localCredential: claim.credential,
    sessionLimits: limits,
    live,
    access,
    oauth: options.oauth ?? Boolean(options.publicUrl || options.oauthIssuer),
    oauthIssuer: options.oauthIssuer,
  });
  const server = http;
  let bound: { host: string; port: number };
  try {
    bound = await server.listen(host, port);
  } catch (error) {
    detachWebhooks();
    await gateway.close();
    claim.release();
    await store.close();
    throw error;
  }
  const url = baseUrlOf(bound.host, bound.port);
  info = { ...info, url, port: bound.port };
  claim.publish(info);
  webhooks.start();

  // Other processes' writes (a CLI command when no server ran, another replica) arrive by polling.
  const stopWatching = store.watch((message) => log(message));
  // Housekeeping, off the request path: the change log and the activity log stay bounded.
  const housekeeping = () =>
    void Promise.all([
      store.pruneChangeLog(),
      activity.prune(store.data.settings.activityRetentionDays, store.data.settings.activityMaxRows),
      gateway.approvals.prune(),
    ]).catch((error: unknown) =>
      log(`Housekeeping failed: ${error instanceof Error ? error.message : error}`),
    );
  housekeeping();
  if (options.clientConfigs) sweepLater(options.clientConfigs, log);
  const housekeepingTimer = setInterval(housekeeping, 60 * 60_000).unref();
  const stopToolWatch = watchToolChanges(store, server.hubs.gateway);
  // Revoked keys and deleted customers lose their open sessions at once.
  const offChange = store.onChange(() => {
    const ws = store.data;
    // OAuth grants (`oauth:ID`) and OIDC subjects (`oidc:SUB`) are not workspace records.
    const dead = (owner: { keyId: string; customerId?: string }) =>
      (!/^(oauth|oidc):/.test(owner.keyId) &&
        (!ws.apiKeys[owner.keyId] || Boolean(ws.apiKeys[owner.keyId]?.revokedAt))) ||
      (owner.customerId !== undefined && !ws.customers[owner.customerId]);
    void server.hubs.admin.closeWhere(dead);
    server.closeWebSessions((keyId) => Boolean(ws.apiKeys[keyId] && !ws.apiKeys[keyId]?.revokedAt));
    void server.hubs.gateway.closeWhere(dead);
  });
  const offGrants = onGrantRevoked((grantId) => {
    const revoked = (owner: { keyId: string }) => owner.keyId === `oauth:${grantId}`;
    void server.hubs.admin.closeWhere(revoked);
    void server.hubs.gateway.closeWhere(revoked);
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    host: bound.host,
    port: bound.port,
    store,
    services,
    planes,
    onChange(listener) {
      return live.on(() => listener());
    },
    loginLink: () => server.loginLink(),
    sessionCount: () => ({ admin: server.hubs.admin.size, gateway: server.hubs.gateway.size }),
    client: (entryPoint, options = {}) => ({
      call: (name, input) =>
        registry.call(name, input, services, { entryPoint, pageView: options.pageView === true }) as never,
    }),
    callTool: (name, args, entryPoint) => registry.call(name, args, services, { entryPoint }),
    close() {
      closing ??= (async () => {
        offChange();
        offGrants();
        live.close();
        stopWatching();
        clearInterval(housekeepingTimer);
        // Calls waiting for approval end now (denied), not after the in-flight grace period.
        await gateway.approvals.close();
        stopToolWatch();
        await server.close();
        detachWebhooks();
        await webhooks.stop();
        await gateway.close();
        await activity.flush();
        offTelemetry?.();
        await telemetry?.close();
        await keyUsage.flush().catch(() => {});
        claim.release();
        await store.close();
      })();
      return closing;
    },
  };
}

/** On a first start with no API keys, mints an admin key; returns it (to be shown once) or null. */
export async function ensureFirstAdminKey(store: WorkspaceStore): Promise<string | null> {
  if (Object.keys(store.data.apiKeys).length > 0) return null;
  const key = store.mutate((ws) => {
    if (Object.keys(ws.apiKeys).length > 0) return null;
    return mintKey(ws, { name: 'First admin key', scope: 'admin' }).key;
  });
  // Saved before it is shown: a key printed must survive a crash right after.
  await store.flushed();
  return key;
}

/** Off the start path: a few directory listings, then stale temp files of config writes removed. */
function sweepLater(ctx: ClientContext, log: Logger): void {
  setImmediate(() => {
    try {
      for (const file of sweepClientTempFiles(ctx))
        log(`Removed ${file}, left by a config write that was killed.`);
    } catch (error) {
      log(`Could not clean client config folders: ${error instanceof Error ? error.message : error}`);
    }
  });
}
