import { z } from 'zod';
import {
  apiKeyScopeSchema,
  authSchemeSchema,
  connectionStatusSchema,
  idString,
  slugString,
  toolModeSchema,
} from '../../../shared/schemas/entities';

// The building blocks the admin contracts share live in src/shared; the records are built here.
export {
  apiKeyScopeSchema,
  authSchemeSchema,
  connectionStatusSchema,
  idString,
  type PlaneName,
  planeName,
  slugString,
  toolModeSchema,
} from '../../../shared/schemas/entities';

/** The workspace's records. Every record is validated when written and when read back. */
export const SCHEMA_VERSION = 1;

const isoTime = z.string().describe('ISO-8601 timestamp');
export const settingsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(7430),
  planes: z.object({ admin: z.boolean(), gateway: z.boolean() }).default({ admin: true, gateway: true }),
  /** When a plane switch was last flipped: lets a persisted switch override a one-run `--no-admin`. */
  planesChangedAt: isoTime.nullable().default(null),
  searchThreshold: z.number().int().min(1).default(40),
  /** How long one upstream call (HTTP request or MCP tools/call) may take. */
  upstreamTimeoutMs: z.number().int().min(100).default(60_000),
  bodyLimitBytes: z
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  /** Activity retention: rows older than this many days are deleted (set_activity_retention). */
  activityRetentionDays: z.number().int().min(1).max(36_500).default(90),
  /** Activity size cap: beyond this many rows, the oldest are deleted. */
  activityMaxRows: z.number().int().min(1).max(1_000_000_000).default(1_000_000),
});
export type Settings = z.infer<typeof settingsSchema>;

/**
 * A map keyed by names users choose (connector ids, labels): parsed into an object with no
 * prototype, so a key like `constructor` or `toString` is looked up as data, never as Object's.
 */
const ownRecord = <V extends z.ZodType>(value: V) =>
  z
    .record(z.string(), value)
    .transform((r) => Object.assign(Object.create(null) as Record<string, z.output<V>>, r));

export const exposureSchema = z.object({
  mode: z.enum(['all', 'selected']),
  connectorIds: z.array(z.string()),
  /** Optional per-connector allow-list of action names; absent means every enabled action. */
  actions: ownRecord(z.array(z.string())).default(() => Object.create(null)),
  toolMode: toolModeSchema,
  /** `bare`: the upstream's own tool names where they don't collide (tool-names.ts); absent: `prefixed`. */
  naming: z.enum(['prefixed', 'bare']).optional(),
});
export type Exposure = z.infer<typeof exposureSchema>;

/** One customer's change to one upstream tool, prompt or resource of a connector (set_tool_overrides). */
export const toolOverrideSchema = z.object({
  /** The action's name (a tool), the prompt's name, or the resource's URI, as the upstream gives it. */
  name: z.string().min(1).max(2048),
  kind: z.enum(['tool', 'prompt', 'resource']).default('tool'),
  hidden: z.boolean().optional(),
  rename: z.string().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  annotations: z
    .object({
      title: z.string().optional(),
      readOnlyHint: z.boolean().optional(),
      destructiveHint: z.boolean().optional(),
      idempotentHint: z.boolean().optional(),
      openWorldHint: z.boolean().optional(),
    })
    .optional(),
});
export type ToolOverride = z.infer<typeof toolOverrideSchema>;

/** Rate limits of a key or a customer (set_rate_limits): absent fields mean no limit. */
export const rateLimitsSchema = z.object({
  callsPerMinute: z.number().int().positive().optional(),
  concurrent: z.number().int().positive().optional(),
});
export type RateLimits = z.infer<typeof rateLimitsSchema>;

/** Which of a customer's calls wait for a person's decision (set_approval_policy). */
export const approvalPolicySchema = z.enum(['never', 'destructive', 'always']);
export type ApprovalPolicy = z.infer<typeof approvalPolicySchema>;
export const customerApprovalsSchema = z.object({
  policy: approvalPolicySchema,
  /** Per-tool exceptions: connector id → action name → policy ("always allow" sets `never`). */
  actions: ownRecord(ownRecord(approvalPolicySchema)).default(() => Object.create(null)),
  timeoutS: z.number().int().min(5).max(3600).optional(),
});
export type CustomerApprovals = z.infer<typeof customerApprovalsSchema>;

export const customerSchema = z.object({
  id: idString,
  name: z.string().min(1).max(200),
  exposure: exposureSchema,
  metadata: ownRecord(z.string()).default(() => Object.create(null)),
  /** Data-plane rate limits for all of this customer's calls (set_rate_limits). */
  limits: rateLimitsSchema.optional(),
  /** Absent: no call waits for approval (the default for new customers). */
  approvals: customerApprovalsSchema.optional(),
  /** Per connector id: this customer's overrides of its tools, prompts and resources (absent: none). */
  overrides: ownRecord(z.array(toolOverrideSchema)).optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type Customer = z.infer<typeof customerSchema>;

export const httpParamSchema = z.object({
  name: z.string(),
  in: z.enum(['path', 'query', 'header', 'cookie']),
  /** The argument name in the tool's inputSchema when it differs from `name`. */
  arg: z.string().optional(),
  required: z.boolean().default(false),
  style: z.string().optional(),
  explode: z.boolean().optional(),
});

export const httpMappingSchema = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']),
  path: z.string(),
  params: z.array(httpParamSchema).default([]),
  body: z
    .object({
      contentType: z.string(),
      /** `flatten`: the body's properties are top-level arguments; `wrap`: the body is the `body` argument. */
      mode: z.enum(['flatten', 'wrap']),
      properties: z.array(z.string()).default([]),
      required: z.boolean().default(false),
    })
    .optional(),
});
export type HttpMapping = z.infer<typeof httpMappingSchema>;

const jsonObject = z.record(z.string(), z.unknown());

export const actionSchema = z.object({
  name: z.string().min(1).max(128),
  title: z.string().optional(),
  description: z.string().default(''),
  inputSchema: jsonObject,
  outputSchema: jsonObject.optional(),
  annotations: z
    .object({
      title: z.string().optional(),
      readOnlyHint: z.boolean().optional(),
      destructiveHint: z.boolean().optional(),
      idempotentHint: z.boolean().optional(),
      openWorldHint: z.boolean().optional(),
    })
    .default({}),
  enabled: z.boolean().default(true),
  http: httpMappingSchema.optional(),
  /** For MCP connectors: the upstream tool's own name. */
  upstreamName: z.string().optional(),
  /** For MCP connectors: the sha256 of the approved upstream definition (tool-pinning.ts). */
  pinnedHash: z.string().optional(),
  /** For MCP connectors: a changed upstream definition awaiting approve_tool_changes; the action is held back. */
  pendingChange: z
    .object({
      id: z.string(),
      at: z.string(),
      hash: z.string(),
      before: jsonObject,
      after: jsonObject,
      findings: z.array(z.object({ kind: z.string(), detail: z.string() })).default([]),
    })
    .optional(),
});
export type Action = z.infer<typeof actionSchema>;

const connectorBase = {
  id: idString,
  slug: slugString,
  name: z.string().min(1).max(200),
  description: z.string().default(''),
  catalogId: z.string().optional(),
  actions: z.array(actionSchema).default([]),
  /**
   * Advertise and enforce the actions' output schemas as written. Off (absent) by default: tools
   * advertise a relaxed form that keeps the shape but rejects nothing (fields missing, added, null or
   * of another type), so responses that drifted from the document still arrive.
   */
  strictOutput: z.boolean().optional(),
  /** For MCP connectors: apply changed upstream tool definitions at once, without holding them for review. */
  trustUpdates: z.boolean().optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
};

export const connectorSchema = z.discriminatedUnion('kind', [
  z.object({
    ...connectorBase,
    kind: z.literal('http'),
    baseUrl: z.string(),
    /** Where its OpenAPI document came from, so refresh_connector can re-import it. */
    openapiSource: z.object({ url: z.string().optional(), path: z.string().optional() }).optional(),
  }),
  z.discriminatedUnion('transport', [
    z.object({
      ...connectorBase,
      kind: z.literal('mcp'),
      transport: z.literal('stdio'),
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
      /** Environment for the child, sealed (it often holds tokens). */
      env: z.string().optional(),
      envKeys: z.array(z.string()).default([]),
    }),
    z.object({
      ...connectorBase,
      kind: z.literal('mcp'),
      transport: z.literal('http'),
      url: z.string(),
      /** Extra request headers, sealed (they often hold tokens). */
      headers: z.string().optional(),
      headerKeys: z.array(z.string()).default([]),
    }),
  ]),
]);
export type Connector = z.infer<typeof connectorSchema>;

export const authConfigSchema = z.object({
  connectorId: z.string(),
  scheme: authSchemeSchema,
  in: z.enum(['header', 'query']).optional(),
  name: z.string().optional(),
  oauth2: z
    .object({
      grant: z.enum(['authorization_code', 'client_credentials']),
      clientId: z.string(),
      /** Sealed with the workspace's secret box. */
      clientSecret: z.string().optional(),
      authorizeUrl: z.string().optional(),
      tokenUrl: z.string(),
      scopes: z.array(z.string()).default([]),
    })
    .optional(),
  updatedAt: isoTime,
});
export type AuthConfig = z.infer<typeof authConfigSchema>;

export const connectionSchema = z.object({
  id: idString,
  customerId: z.string(),
  connectorId: z.string(),
  /** The credentials object, sealed (encrypted) with the workspace's secret box. */
  credentials: z.string(),
  /** Which credential fields were given, for masked display. */
  credentialKeys: z.array(z.string()).default([]),
  status: connectionStatusSchema.default('untested'),
  statusReason: z.string().optional(),
  lastTestedAt: isoTime.optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type Connection = z.infer<typeof connectionSchema>;

export const webhookSchema = z.object({
  id: idString,
  url: z.string(),
  events: z.array(z.string()).min(1),
  /** Signing secret, sealed. */
  secret: z.string(),
  /** The secret before the last rotate_webhook_secret, sealed: deliveries are signed with it too until it expires. */
  previousSecret: z.string().optional(),
  previousSecretExpiresAt: isoTime.optional(),
  enabled: z.boolean().default(true),
  description: z.string().default(''),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type Webhook = z.infer<typeof webhookSchema>;

export const apiKeySchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9]{8}$/),
  name: z.string().min(1).max(200),
  scope: apiKeyScopeSchema,
  /** For gateway keys: the customers it may reach; null means every customer. */
  customers: z.array(z.string()).nullable().default(null),
  /** SHA-256 of the key's secret part, hex. The key itself is never stored. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: isoTime,
  revokedAt: isoTime.nullable().default(null),
  /** Data-plane rate limits for this key's calls (set_rate_limits). */
  limits: rateLimitsSchema.optional(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const workspaceSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  settings: settingsSchema,
  customers: z.record(z.string(), customerSchema),
  connectors: z.record(z.string(), connectorSchema),
  authConfigs: z.record(z.string(), authConfigSchema),
  connections: z.record(z.string(), connectionSchema),
  webhooks: z.record(z.string(), webhookSchema),
  apiKeys: z.record(z.string(), apiKeySchema),
});
export type Workspace = z.infer<typeof workspaceSchema>;

/** An empty workspace. Collections have no prototype: an id like `__proto__` is an ordinary key. */
export function emptyWorkspace(): Workspace {
  const collection = () => Object.create(null);
  return {
    schemaVersion: SCHEMA_VERSION,
    settings: settingsSchema.parse({}),
    customers: collection(),
    connectors: collection(),
    authConfigs: collection(),
    connections: collection(),
    webhooks: collection(),
    apiKeys: collection(),
  };
}

/** The workspace's record collections, each one table (connectors: two, with their actions). */
export const COLLECTIONS = [
  'customers',
  'connectors',
  'authConfigs',
  'connections',
  'webhooks',
  'apiKeys',
] as const;
export type Collection = (typeof COLLECTIONS)[number];

/** Each collection's record schema: what a record is checked against when written and read back. */
export const recordSchemas: Record<Collection, z.ZodType> = {
  customers: customerSchema,
  connectors: connectorSchema,
  authConfigs: authConfigSchema,
  connections: connectionSchema,
  webhooks: webhookSchema,
  apiKeys: apiKeySchema,
};
