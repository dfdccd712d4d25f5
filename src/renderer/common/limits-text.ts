// How a key's or a customer's rate limits (set_rate_limits) read on the customer and key pages.

/** Rate limits as set with set_rate_limits: "60 calls per minute, 5 at once", or "none". */
export function limitsText(limits?: { calls_per_minute: number | null; concurrent: number | null }): string {
  const parts = [
    limits?.calls_per_minute ? `${limits.calls_per_minute} calls per minute` : '',
    limits?.concurrent ? `${limits.concurrent} at once` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}
