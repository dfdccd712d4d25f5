import type { ToolOutput } from '../../../../shared/registry';

export type Webhook = ToolOutput<'list_webhooks'>['webhooks'][number];
export type Delivery = ToolOutput<'list_webhook_deliveries'>['deliveries'][number];
