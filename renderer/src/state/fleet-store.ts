import { create } from 'zustand';
import type { AppError, BondSpec, ChannelRequest, FleetHostPreview, FleetRun } from '../../../preload/contract';
import { api } from '../api/api';

// Fleet rollouts as main reports them (fleet.run events), the wizard's last preview, and the
// buttons of the run view. Keep and Revert of a host go through the same bonds.keep / bonds.revert
// as a change on one host.

export interface FleetDraft {
  readonly spec: BondSpec;
  /** Host id -> its members (null: the spec's own names). */
  readonly targets: readonly { readonly hostId: string; readonly members: readonly string[] | null }[];
  readonly checkinTimeoutSeconds: number;
}

interface FleetState {
  readonly runs: Readonly<Record<string, FleetRun>>;
  readonly unreadableRuns: number;
  readonly preview: readonly FleetHostPreview[] | null;
  readonly previewing: boolean;
  readonly error: AppError | null;
  readonly init: () => Promise<() => void>;
  readonly runPreview: (draft: FleetDraft) => Promise<void>;
  readonly clearPreview: () => void;
  readonly start: (req: ChannelRequest<'fleet.start'>) => Promise<FleetRun | null>;
  readonly control: (runId: string, what: 'pause' | 'resume' | 'abort') => Promise<void>;
  readonly keepHost: (applyId: string) => Promise<void>;
  readonly revertHost: (applyId: string) => Promise<void>;
}

export const useFleetStore = create<FleetState>()((set, get) => {
  const put = (run: FleetRun): void => set({ runs: { ...get().runs, [run.runId]: run } });
  return {
    runs: {},
    unreadableRuns: 0,
    preview: null,
    previewing: false,
    error: null,
    init: async () => {
      const heard = new Set<string>();
      const off = api.on('fleet.run', (run) => {
        heard.add(run.runId);
        put(run);
      });
      const res = await api.call('fleet.runs', {});
      if (res.ok) {
        for (const run of res.value.runs) if (!heard.has(run.runId)) put(run);
        set({ unreadableRuns: res.value.unreadable });
      }
      return off;
    },
    runPreview: async (draft) => {
      // The review on screen stays (its buttons wait) until the new one is in: no jump while a host is re-planned.
      set({ previewing: true, error: null });
      const res = await api.call('fleet.preview', { spec: draft.spec, targets: draft.targets.map((t) => ({ hostId: t.hostId, members: t.members ? [...t.members] : null })), checkinTimeoutSeconds: draft.checkinTimeoutSeconds });
      set(res.ok ? { previewing: false, preview: res.value.hosts } : { previewing: false, error: res.error });
    },
    clearPreview: () => set({ preview: null, error: null }),
    start: async (req) => {
      set({ error: null });
      const res = await api.call('fleet.start', req);
      if (!res.ok) {
        set({ error: res.error });
        return null;
      }
      put(res.value);
      return res.value;
    },
    control: async (runId, what) => {
      const res = await api.call(what === 'pause' ? 'fleet.pause' : what === 'resume' ? 'fleet.resume' : 'fleet.abort', { runId });
      if (res.ok) put(res.value);
      else set({ error: res.error });
    },
    keepHost: async (applyId) => {
      const res = await api.call('bonds.keep', { applyId });
      if (!res.ok) set({ error: res.error });
    },
    revertHost: async (applyId) => {
      const res = await api.call('bonds.revert', { applyId });
      if (!res.ok) set({ error: res.error });
    },
  };
});
