import type { EventName, EventPayload } from '../../preload/contract';

/** How services push events up to whichever bridge is attached (Electron IPC or WebSocket). */
export interface EventSink {
  emit<K extends EventName>(event: K, payload: EventPayload<K>): void;
}

export type EventListener = (event: EventName, payload: unknown) => void;

export class EventHub implements EventSink {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<K extends EventName>(event: K, payload: EventPayload<K>): void {
    for (const listener of this.listeners) listener(event, payload);
  }
}
