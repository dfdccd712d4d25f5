// How long a waiting call has before it is denied for lack of a decision, in words.

/** "1 min 05 s left", "12 s left", or "expiring" once the deadline has passed. */
export function timeLeft(expiresAt: string, now: number): string {
  const seconds = Math.ceil((Date.parse(expiresAt) - now) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds <= 0) return 'expiring';
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes ? `${minutes} min ${String(rest).padStart(2, '0')} s left` : `${rest} s left`;
}

export const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
