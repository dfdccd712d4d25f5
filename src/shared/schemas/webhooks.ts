/** Where a webhook delivery stands after an attempt. */
export const deliveryStates = ['delivered', 'pending', 'failed', 'cancelled'] as const;
export type DeliveryState = (typeof deliveryStates)[number];
