import type { ChannelName, ChannelRequest, ChannelResponse, Envelope, EventName, EventPayload } from '../../../preload/contract';
import type { BondsmithBridge } from '../../../preload/bridge-types';
import { WebSocketBridge } from './ws-bridge';

// The renderer's one seam to main: the preload bridge inside Electron, the WebSocket bridge in
// browser mode. Nothing else in the renderer knows which one it has.

declare global {
  interface Window {
    readonly bondsmith?: BondsmithBridge;
  }
}

export interface Api {
  call<K extends ChannelName>(channel: K, payload: ChannelRequest<K>): Promise<Envelope<ChannelResponse<K>>>;
  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void;
}

function preloadApi(bridge: BondsmithBridge): Api {
  return {
    call: (channel, payload) => (bridge[channel] as (p: typeof payload) => Promise<Envelope<ChannelResponse<typeof channel>>>)(payload),
    on: (event, listener) => bridge.on(event, listener),
  };
}

function webSocketApi(): Api {
  const bridge = new WebSocketBridge();
  return { call: (channel, payload) => bridge.request(channel, payload), on: (event, listener) => bridge.on(event, listener) };
}

export const api: Api = window.bondsmith ? preloadApi(window.bondsmith) : webSocketApi();
