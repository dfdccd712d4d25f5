// Contracts of the OAuth connect tools; their handlers are in src/main/core/admin/oauth-connect.ts.
import { z } from 'zod';
import { contract } from './contract';

/** The second half of an OAuth connect link (get_connect_url): what /oauth/callback received. */
export const completeOAuthConnect = contract({
  name: 'complete_oauth_connect',
  title: 'Complete an OAuth connection',
  description:
    "Finish an OAuth authorization-code connection from the provider's redirect (what /oauth/callback receives): " +
    "exchanges the code and stores the tokens as the customer's connection. The state is single-use and expires after 15 minutes.",
  input: z.strictObject({
    state: z.string().min(1).max(200).describe('The `state` the provider sent back.'),
    code: z
      .string()
      .max(4096)
      .optional()
      .describe('The authorization code, when the provider granted access.'),
    error: z.string().max(200).optional().describe("The provider's `error`, when it did not."),
    error_description: z.string().max(1000).optional().describe("The provider's `error_description`."),
  }),
  output: z.object({
    connection_id: z.string(),
    customer_id: z.string(),
    connector_id: z.string(),
    created: z.boolean().describe('True for a new connection, false when an existing one got new tokens.'),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
});

/** The OAuth connect tools, in the order they are listed. */
export const oauthConnectContracts = [completeOAuthConnect] as const;
