import { create } from 'zustand';
import type { AppError, ApplyState, BondSpec, EligibleMember, EventPayload, PlanView } from '../../../preload/contract';
import { api } from '../api/api';

export type EditorStage =
  | { readonly kind: 'closed' }
  | { readonly kind: 'editing'; readonly hostId: string; readonly initial: BondSpec; readonly editing: boolean }
  | { readonly kind: 'confirm-delete'; readonly hostId: string; readonly bondName: string }
  | {
      readonly kind: 'plan';
      readonly hostId: string;
      readonly plan: PlanView;
      readonly spec: BondSpec | null;
      readonly editing: boolean;
      /** A restore from history: what differs on the host today and what the plan does about it. */
      readonly restore?: { readonly title: string; readonly notes: readonly string[] };
    }
  | { readonly kind: 'applying'; readonly hostId: string; readonly applyId: string; readonly spec: BondSpec | null; readonly editing: boolean };

interface BondsState {
  readonly stage: EditorStage;
  readonly candidates: readonly EligibleMember[];
  readonly fieldErrors: Readonly<Record<string, string>>;
  readonly formError: AppError | null;
  readonly busy: boolean;
  readonly checkinTimeoutSeconds: number;
  /** Ports whose own configuration the user agreed to reset as part of the change (the editor's "Reset X's configuration"). */
  readonly resetNics: readonly string[];
  readonly applies: Readonly<Record<string, ApplyState>>;
  /** Bondsmith's own files failed it during a change (audit log, saved plan), until dismissed. */
  readonly problems: readonly EventPayload<'app.problem'>[];
  /** Changes whose app was gone before they ended, recorded on a later connect: told once, until dismissed. */
  readonly recovered: readonly EventPayload<'change.recovered'>[];
  readonly init: () => Promise<() => void>;
  readonly open: (hostId: string, initial: BondSpec, editing: boolean) => Promise<void>;
  readonly askDelete: (hostId: string, bondName: string) => void;
  /** A plan main made elsewhere (a restore from history), previewed and applied like any other. */
  readonly showPlan: (hostId: string, plan: PlanView, restore: { readonly title: string; readonly notes: readonly string[] }) => void;
  readonly close: () => void;
  readonly setTimeoutSeconds: (seconds: number) => void;
  readonly setReset: (nic: string, reset: boolean) => void;
  /** Back from a failed apply to the editor, with what the box refused next to its fields. */
  readonly fixInEditor: (applyId: string) => void;
  /** A new plan that takes back a change the box kept on its own. */
  readonly planUndo: (applyId: string) => Promise<void>;
  readonly planSave: (spec: BondSpec) => Promise<void>;
  readonly planDelete: () => Promise<void>;
  readonly apply: (autoKeep: boolean) => Promise<void>;
  readonly saveScript: () => Promise<void>;
  readonly keep: (applyId: string) => Promise<void>;
  readonly revert: (applyId: string) => Promise<void>;
  readonly refreshApplies: () => Promise<void>;
  readonly dismissProblem: (problem: EventPayload<'app.problem'>) => void;
  readonly dismissRecovered: (notice: EventPayload<'change.recovered'>) => void;
}

export const useBondsStore = create<BondsState>()((set, get) => {
  const putApply = (state: ApplyState): void => set({ applies: { ...get().applies, [state.applyId]: state } });
  const requestPlan = async (hostId: string, action: 'create' | 'update' | 'delete', spec: BondSpec | null, bondName: string | null, editing: boolean): Promise<void> => {
    set({ busy: true, formError: null });
    const resetNicConfig = spec ? get().resetNics.filter((n) => spec.members.includes(n)) : [];
    const res = await api.call('bonds.plan', { hostId, action, spec, bondName, checkinTimeoutSeconds: get().checkinTimeoutSeconds, ...(resetNicConfig.length > 0 ? { resetNicConfig } : {}) });
    set({ busy: false });
    if (!res.ok) {
      set({ formError: res.error, fieldErrors: res.error.field ? { [res.error.field]: res.error.message } : {} });
      return;
    }
    if (res.value.plan) {
      set({ stage: { kind: 'plan', hostId, plan: res.value.plan, spec, editing }, fieldErrors: {} });
      return;
    }
    const fieldErrors: Record<string, string> = {};
    const other: string[] = [];
    for (const e of res.value.fieldErrors) {
      if (e.field === 'host' || e.field === '') other.push(e.message);
      else fieldErrors[e.field] ??= e.message;
    }
    set({ fieldErrors, formError: other.length > 0 ? { code: 'HOST_CONFLICT', message: other.join(' ') } : null });
  };
  return {
    stage: { kind: 'closed' },
    candidates: [],
    fieldErrors: {},
    formError: null,
    busy: false,
    checkinTimeoutSeconds: 60,
    resetNics: [],
    applies: {},
    problems: [],
    recovered: [],
    init: async () => {
      const off = api.on('apply.state', putApply);
      const offProblem = api.on('app.problem', (p) => set({ problems: [...get().problems.filter((q) => q.message !== p.message), p].slice(-20) }));
      const offRecovered = api.on('change.recovered', (n) => set({ recovered: [...get().recovered, n].slice(-20) }));
      await get().refreshApplies();
      return () => {
        off();
        offProblem();
        offRecovered();
      };
    },
    open: async (hostId, initial, editing) => {
      // Back from this host's plan to its editor keeps the resets the user ticked.
      const before = get().stage;
      const resetNics = before.kind === 'plan' && before.hostId === hostId ? get().resetNics : [];
      set({ stage: { kind: 'editing', hostId, initial, editing }, fieldErrors: {}, formError: null, candidates: [], resetNics });
      const res = await api.call('bonds.eligible', { hostId, bondName: editing ? initial.name : null });
      if (res.ok) set({ candidates: res.value.members });
      else set({ formError: res.error });
    },
    askDelete: (hostId, bondName) => set({ stage: { kind: 'confirm-delete', hostId, bondName }, formError: null }),
    showPlan: (hostId, plan, restore) => set({ stage: { kind: 'plan', hostId, plan, spec: null, editing: false, restore }, fieldErrors: {}, formError: null }),
    close: () => set({ stage: { kind: 'closed' }, fieldErrors: {}, formError: null }),
    setTimeoutSeconds: (seconds) => set({ checkinTimeoutSeconds: seconds }),
    setReset: (nic, reset) => set({ resetNics: reset ? [...get().resetNics.filter((n) => n !== nic), nic] : get().resetNics.filter((n) => n !== nic) }),
    fixInEditor: (applyId) => {
      const stage = get().stage;
      const state = get().applies[applyId];
      if (stage.kind !== 'applying' || !stage.spec || !state) return;
      const fieldErrors: Record<string, string> = {};
      for (const e of state.fieldErrors ?? []) fieldErrors[e.field] ??= e.message;
      const resetNics = get().resetNics;
      const { hostId, spec, editing } = stage;
      void get()
        .open(hostId, spec, editing)
        .then(() => set({ fieldErrors, resetNics }));
    },
    planUndo: async (applyId) => {
      const stage = get().stage;
      if (stage.kind !== 'applying') return;
      set({ busy: true, formError: null });
      const res = await api.call('bonds.planUndo', { applyId, checkinTimeoutSeconds: get().checkinTimeoutSeconds });
      set({ busy: false });
      if (!res.ok) {
        set({ formError: res.error });
        return;
      }
      if (res.value.plan) {
        set({ stage: { kind: 'plan', hostId: stage.hostId, plan: res.value.plan, spec: null, editing: true }, fieldErrors: {} });
        return;
      }
      set({ formError: { code: 'HOST_CONFLICT', message: res.value.fieldErrors.map((e) => e.message).join(' ') } });
    },
    planSave: async (spec) => {
      const stage = get().stage;
      if (stage.kind !== 'editing') return;
      await requestPlan(stage.hostId, stage.editing ? 'update' : 'create', spec, stage.editing ? stage.initial.name : null, stage.editing);
    },
    planDelete: async () => {
      const stage = get().stage;
      if (stage.kind !== 'confirm-delete') return;
      await requestPlan(stage.hostId, 'delete', null, stage.bondName, true);
    },
    apply: async (autoKeep) => {
      const stage = get().stage;
      if (stage.kind !== 'plan') return;
      set({ busy: true, formError: null });
      const res = await api.call('bonds.apply', { planId: stage.plan.planId, autoKeep });
      set({ busy: false });
      if (!res.ok) {
        set({ formError: res.error });
        return;
      }
      putApply(res.value);
      set({ stage: { kind: 'applying', hostId: stage.hostId, applyId: res.value.applyId, spec: stage.spec, editing: stage.editing } });
    },
    saveScript: async () => {
      const stage = get().stage;
      if (stage.kind !== 'plan') return;
      const res = await api.call('bonds.planScript', { planId: stage.plan.planId });
      if (!res.ok) {
        set({ formError: res.error });
        return;
      }
      const url = URL.createObjectURL(new Blob([res.value.script], { type: 'text/x-shellscript' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = res.value.fileName;
      a.click();
      URL.revokeObjectURL(url);
    },
    keep: async (applyId) => {
      const res = await api.call('bonds.keep', { applyId });
      if (res.ok) putApply(res.value);
    },
    revert: async (applyId) => {
      const res = await api.call('bonds.revert', { applyId });
      if (res.ok) putApply(res.value);
    },
    refreshApplies: async () => {
      const res = await api.call('bonds.applies', {});
      if (!res.ok) return;
      const applies: Record<string, ApplyState> = { ...get().applies };
      for (const a of res.value.applies) applies[a.applyId] = a;
      set({ applies });
    },
    dismissProblem: (problem) => set({ problems: get().problems.filter((p) => p !== problem) }),
    dismissRecovered: (notice) => set({ recovered: get().recovered.filter((n) => n !== notice) }),
  };
});
