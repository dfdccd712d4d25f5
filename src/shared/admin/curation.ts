// Contracts of the curation tools (what each customer sees of a connector); handlers in
// src/main/core/admin/curation.ts.
import { z } from 'zod';
import { contract } from './contract';
import { toolOverride } from './customers';

export const setToolOverrides = contract({
  name: 'set_tool_overrides',
  title: "Curate a connector's tools for a customer",
  description:
    "Per customer and connector: hide individual tools, prompts and resources, or change a tool's name, title, description and annotations as that customer's agents see them. " +
    "Replaces: the list given becomes ALL of this connector's overrides for the customer (an item not in it shows as the upstream defines it; an empty list clears them). " +
    'Calls to a renamed tool still reach the upstream tool; approval exceptions keep naming the action. ' +
    "A rename must be a valid tool name that no other tool of the customer has. Tool names are checked against the connector's actions; " +
    'prompt names and resource URIs are kept as given and apply when the upstream lists them. Connected sessions are notified (tools/list_changed). ' +
    'See the result with preview_customer_tools.',
  input: z.strictObject({
    customer_id: z.string().describe("The customer's id."),
    connector_id: z.string().describe('The connector whose tools, prompts or resources are curated.'),
    overrides: z
      .array(toolOverride)
      .max(10_000)
      .describe(
        'Every override of this connector for this customer (replaces the previous list; [] clears).',
      ),
  }),
  output: z.object({
    customer_id: z.string(),
    connector_id: z.string(),
    overrides: z.array(toolOverride),
    tools: z
      .array(z.object({ name: z.string(), action: z.string() }))
      .describe("This connector's tools as the customer now sees them (exposed ones only)."),
    hidden: z.array(z.string()).describe("This connector's exposed actions the customer no longer sees."),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
});

/** The curation tools, in the order they are listed. */
export const curationContracts = [setToolOverrides] as const;
