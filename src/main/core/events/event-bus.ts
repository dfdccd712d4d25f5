import type { EventType } from '../../../shared/schemas/events';

export { EVENT_TYPES, type EventType } from '../../../shared/schemas/events';

export interface PorticoEvent {
  type: EventType;
  /** ISO time the event happened. */
  timestamp: string;
  /** Never holds secrets: ids, names, statuses and outcomes only. */
  data: Record<string, unknown>;
}

export type EventListener = (event: PorticoEvent) => void;

/** In-process fan-out of events to listeners (the webhook dispatcher, the UI's activity view). */
export class EventBus {
  readonly #listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(type: EventType, data: Record<string, unknown>): void {
    const event: PorticoEvent = { type, timestamp: new Date().toISOString(), data };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not break the operation that emitted the event.
      }
    }
  }
}
