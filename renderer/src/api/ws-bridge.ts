import type { ChannelName, ChannelRequest, ChannelResponse, Envelope, EventName, EventPayload } from '../../../preload/contract';

type Pending = { resolve: (envelope: Envelope<unknown>) => void };

/**
 * Browser mode's bridge: one WebSocket to the page's own origin (the token travels as the
 * HttpOnly cookie set when the tokened URL was opened). Reconnects when the socket drops.
 */
export class WebSocketBridge {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  private open(): Promise<WebSocket> {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    this.opening = new Promise<WebSocket>((resolve, reject) => {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const socket = new WebSocket(`${scheme}://${location.host}/ws`);
      socket.onopen = () => {
        this.socket = socket;
        this.opening = null;
        resolve(socket);
      };
      socket.onerror = () => {
        this.opening = null;
        reject(new Error('Cannot reach Bondsmith (browser mode server stopped?)'));
      };
      socket.onclose = () => {
        this.socket = null;
        for (const [id, p] of this.pending) {
          p.resolve({ ok: false, error: { code: 'DISCONNECTED', message: 'Lost the connection to Bondsmith.' } });
          this.pending.delete(id);
        }
      };
      socket.onmessage = (message) => this.receive(message.data);
    });
    return this.opening;
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (!parsed || typeof parsed !== 'object') return;
    const msg = parsed as { id?: unknown; event?: unknown; payload?: unknown; ok?: unknown };
    if (typeof msg.event === 'string') {
      for (const listener of this.listeners.get(msg.event) ?? []) listener(msg.payload);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const pending = this.pending.get(msg.id);
    if (!pending) return;
    this.pending.delete(msg.id);
    pending.resolve(msg as unknown as Envelope<unknown>);
  }

  async request<K extends ChannelName>(channel: K, payload: ChannelRequest<K>): Promise<Envelope<ChannelResponse<K>>> {
    let socket: WebSocket;
    try {
      socket = await this.open();
    } catch (err) {
      return { ok: false, error: { code: 'DISCONNECTED', message: err instanceof Error ? err.message : String(err) } };
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve: resolve as Pending['resolve'] });
      socket.send(JSON.stringify({ id, channel, payload }));
    });
  }

  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    this.listeners.set(event, set);
    void this.open().catch(() => undefined);
    return () => set.delete(listener as (payload: unknown) => void);
  }
}
