/** A timestamp in the viewer's locale; a dash for none. */
export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');

/** "All events" for the wildcard, else the list. */
export const eventsText = (events: readonly string[]): string =>
  events.includes('*') ? 'All events' : events.join(', ');
