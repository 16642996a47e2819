import { create } from 'zustand';
import type { AppError, ConnectionState, DiscoveryResult } from '../../../preload/contract';
import { api } from '../api/api';

interface SessionsState {
  readonly states: Readonly<Record<string, ConnectionState>>;
  readonly discovery: Readonly<Record<string, DiscoveryResult>>;
  readonly refreshing: Readonly<Record<string, boolean>>;
  readonly lastError: Readonly<Record<string, AppError | null>>;
  readonly init: () => Promise<() => void>;
  readonly connect: (hostId: string) => Promise<void>;
  readonly disconnect: (hostId: string) => Promise<void>;
  readonly trust: (hostId: string, fingerprint: string) => Promise<void>;
  readonly refresh: (hostId: string) => Promise<void>;
}

export const useSessionsStore = create<SessionsState>()((set, get) => {
  const putState = (state: ConnectionState): void => set({ states: { ...get().states, [state.hostId]: state } });
  const putResult = (result: DiscoveryResult): void => set({ discovery: { ...get().discovery, [result.hostId]: result } });
  const putError = (hostId: string, error: AppError | null): void => set({ lastError: { ...get().lastError, [hostId]: error } });
  /** An action that succeeded ends the error shown for the one before it. */
  const clearError = (hostId: string): void => {
    if (get().lastError[hostId]) putError(hostId, null);
  };
  return {
    states: {},
    discovery: {},
    refreshing: {},
    lastError: {},
    init: async () => {
      // Whatever main's lists hold also went out as an event, and events arrive in order: for a host
      // heard from since listening, the latest event is as new as the list's entry, or the event that
      // replaces it is still coming. So the lists only fill in hosts no event has spoken of.
      const heardState = new Set<string>();
      const heardResult = new Set<string>();
      const offState = api.on('session.state', (state) => {
        heardState.add(state.hostId);
        putState(state);
      });
      const offResult = api.on('discovery.result', (result) => {
        heardResult.add(result.hostId);
        putResult(result);
      });
      const [states, latest] = await Promise.all([api.call('sessions.states', {}), api.call('discovery.latest', {})]);
      if (states.ok) for (const s of states.value.states) if (!heardState.has(s.hostId)) putState(s);
      if (latest.ok) for (const r of latest.value.results) if (!heardResult.has(r.hostId)) putResult(r);
      return () => {
        offState();
        offResult();
      };
    },
    connect: async (hostId) => {
      putError(hostId, null);
      const res = await api.call('sessions.connect', { hostId });
      if (res.ok) putState(res.value);
      else putError(hostId, res.error);
    },
    disconnect: async (hostId) => {
      const res = await api.call('sessions.disconnect', { hostId });
      if (res.ok) {
        putState(res.value);
        clearError(hostId);
      } else putError(hostId, res.error);
    },
    trust: async (hostId, fingerprint) => {
      const res = await api.call('sessions.trust', { hostId, fingerprint });
      if (res.ok) {
        putState(res.value);
        clearError(hostId);
      } else putError(hostId, res.error);
    },
    refresh: async (hostId) => {
      set({ refreshing: { ...get().refreshing, [hostId]: true } });
      try {
        const res = await api.call('discovery.refresh', { hostId });
        if (res.ok) {
          putResult(res.value);
          clearError(hostId);
        } else putError(hostId, res.error);
      } finally {
        set({ refreshing: { ...get().refreshing, [hostId]: false } });
      }
    },
  };
});
