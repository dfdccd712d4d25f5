// Contracts of the customer tools; their handlers are in src/main/core/admin/customers.ts.
import { z } from 'zod';
import { idString, toolModeSchema } from '../schemas/entities';
import { approvalPolicyOutput } from './approvals';
import { forceInput, okOutput, pageInput, pageOutput } from './common';
import { contract } from './contract';
import { rateLimitsOutput } from './governance';

const customerId = z.string().describe("The customer's id (its endOrgId).");

export const namingSchema = z
  .enum(['prefixed', 'bare'])
  .describe(
    'Tool names: "prefixed" (`<connector_slug>__<tool>`, the default) or "bare" (the upstream\'s own names where they don\'t collide; a name two tools share falls back to the prefixed form for both).',
  );

/** One override of set_tool_overrides, as inputs and outputs show it. */
export const toolOverride = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(2048)
    .describe("The upstream item: an action's name (tool), a prompt's name, or a resource's URI."),
  kind: z.enum(['tool', 'prompt', 'resource']).optional().describe('What `name` is (default "tool").'),
  hidden: z.boolean().optional().describe('true: not listed and not callable for this customer.'),
  rename: z
    .string()
    .optional()
    .describe(
      'The name agents see instead (letters, digits, "_" or "-", at most 64); tools and prompts only.',
    ),
  title: z.string().max(200).optional().describe('The title agents see instead.'),
  description: z.string().max(10_000).optional().describe('The description agents see instead.'),
  annotations: z
    .strictObject({
      title: z.string().max(200).optional(),
      readOnlyHint: z.boolean().optional(),
      destructiveHint: z.boolean().optional(),
      idempotentHint: z.boolean().optional(),
      openWorldHint: z.boolean().optional(),
    })
    .optional()
    .describe("Annotation hints agents see, over the tool's own (fields not given keep the tool's)."),
});

export const customerOutput = z.object({
  id: z.string().describe('Customer id; the same value is its endOrgId.'),
  name: z.string(),
  exposure: z.object({
    mode: z
      .enum(['all', 'selected'])
      .describe('`all`: every connector the customer has a connection for; `selected`: only connector_ids.'),
    connector_ids: z.array(z.string()),
    actions: z
      .record(z.string(), z.array(z.string()))
      .describe(
        'Per-connector allow-list of action names; a connector absent here exposes all its enabled actions.',
      ),
    tool_mode: toolModeSchema,
    naming: namingSchema,
  }),
  tool_overrides: z
    .record(z.string(), z.array(toolOverride))
    .describe('Per connector id: the overrides set with set_tool_overrides.'),
  metadata: z.record(z.string(), z.string()),
  connection_count: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  limits: rateLimitsOutput.optional().describe('Rate limits set with set_rate_limits (absent: none).'),
  approvals: approvalPolicyOutput.describe('Which calls wait for approval (set_approval_policy).'),
});

export const listCustomers = contract({
  name: 'list_customers',
  title: 'List customers',
  description:
    'List the customers (end organisations) of this workspace with their tool exposure. Paginated.',
  input: z.strictObject({
    ...pageInput,
    query: z
      .string()
      .optional()
      .describe('Only customers whose id or name contains this text (case-insensitive).'),
  }),
  output: z.object({ customers: z.array(customerOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const getCustomer = contract({
  name: 'get_customer',
  title: 'Get a customer',
  description: 'Get one customer by id, with its tool exposure and how many connections it has.',
  input: z.strictObject({ customer_id: customerId }),
  output: customerOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const createCustomer = contract({
  name: 'create_customer',
  title: 'Create a customer',
  description:
    'Create a customer (an end organisation whose systems agents act in). Its id is the endOrgId used in /mcp/gateway?customer_id=ID. ' +
    'New customers expose every connector they have a connection for (mode "all").',
  input: z.strictObject({
    id: idString.describe('Customer id (= endOrgId), e.g. "acme". Letters, digits, ".", "_", ":" or "-".'),
    name: z.string().min(1).max(200).describe('Display name, e.g. "Acme Inc."'),
    metadata: z.record(z.string(), z.string()).default({}).describe('Free-form string labels.'),
  }),
  output: customerOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
});

export const updateCustomer = contract({
  name: 'update_customer',
  title: 'Update a customer',
  description:
    'Rename a customer or replace its metadata. To change which tools it sees, use configure_customer_tools.',
  input: z.strictObject({
    customer_id: customerId,
    name: z.string().min(1).max(200).optional().describe('New display name.'),
    metadata: z.record(z.string(), z.string()).optional().describe('Replaces all metadata labels.'),
  }),
  output: customerOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
});

export const deleteCustomer = contract({
  name: 'delete_customer',
  title: 'Delete a customer',
  description:
    'Delete a customer. Refuses while it has connections or gateway keys restricted to it, listing them; pass force=true to delete its connections and remove it from those keys too.',
  input: z.strictObject({ customer_id: customerId, force: forceInput }),
  output: okOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
});

export const configureCustomerTools = contract({
  name: 'configure_customer_tools',
  title: "Configure a customer's tools",
  description:
    'Choose which tools a customer\'s gateway exposes: mode "all" (every connector it has a connection for) or "selected" (only connector_ids, optionally only some actions of each). ' +
    'tool_mode "direct" lists every tool, "search" exposes search_tools/describe_tool/call_tool, "auto" switches to search above the threshold (40). ' +
    'naming "prefixed" names tools `<connector_slug>__<tool>`; "bare" uses the upstream\'s own names where no other tool of the customer shares them. Connected sessions are notified.',
  input: z.strictObject({
    customer_id: customerId,
    mode: z.enum(['all', 'selected']).describe('"all" or "selected".'),
    connector_ids: z.array(z.string()).optional().describe('With mode "selected": the connectors to expose.'),
    actions: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .describe(
        'Optional allow-list: connector id → action names to expose. Connectors not listed expose all enabled actions.',
      ),
    tool_mode: toolModeSchema.optional().describe('"direct", "search" or "auto" (default: unchanged).'),
    naming: namingSchema.optional().describe('"prefixed" or "bare" (default: unchanged).'),
  }),
  output: customerOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
});

export const previewCustomerTools = contract({
  name: 'preview_customer_tools',
  title: "Preview a customer's tools",
  description:
    "Exactly the tools the customer's gateway (/mcp/gateway?customer_id=ID) lists right now — or would list with `draft` saved — with the connector and action behind each, whether it is served in search mode, and exposed connectors that still need a connection.",
  input: z.strictObject({
    customer_id: customerId,
    draft: z
      .strictObject({
        mode: z.enum(['all', 'selected']),
        connector_ids: z.array(z.string()).optional(),
        actions: z.record(z.string(), z.array(z.string())).optional(),
        tool_mode: toolModeSchema.optional(),
        naming: namingSchema.optional(),
      })
      .optional()
      .describe(
        'Preview an exposure before saving it: the same fields as configure_customer_tools (without customer_id). Nothing is saved.',
      ),
  }),
  output: z.object({
    customer_id: z.string(),
    mode: z
      .enum(['direct', 'search'])
      .describe('"search": agents get search_tools/describe_tool/call_tool instead of the full list.'),
    tools: z.array(
      z.object({
        name: z.string(),
        connector_id: z.string(),
        action: z.string().describe('The action behind the tool (its name before any rename).'),
        title: z.string().optional(),
        description: z.string(),
        connected: z.boolean(),
      }),
    ),
    hidden: z
      .array(z.object({ connector_id: z.string(), action: z.string() }))
      .describe('Tools this customer hid with set_tool_overrides: neither listed nor callable.'),
    unconnected_connectors: z
      .array(z.string())
      .describe('Exposed connectors without a connection: their calls return a connect URL.'),
    message: z.string().nullable(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

/** The customer tools, in the order they are listed. */
export const customerContracts = [
  listCustomers,
  getCustomer,
  createCustomer,
  updateCustomer,
  deleteCustomer,
  configureCustomerTools,
  previewCustomerTools,
] as const;
