import { create } from 'zustand';
import type { AppError, AuditFilter, AuditSummary, ChannelRequest, HistoryEntryView, HistoryPage, RestorePlanResponse, RestoreSide } from '../../../preload/contract';
import { api } from '../api/api';

// The history screen's state: the filter, the page of summaries main sends (newest first), one
// entry opened, and the restore planned from it.

export type HistoryFilter = Omit<AuditFilter, 'limit' | 'offset'>;

/** Rows asked for at a time; more come with "Show more". */
export const HISTORY_PAGE = 100;

interface HistoryState {
  readonly filter: HistoryFilter;
  readonly page: HistoryPage | null;
  readonly loading: boolean;
  readonly error: AppError | null;
  /** From asking to the page being in the store, for the figure under the list. */
  readonly listedInMs: number | null;
  readonly entry: HistoryEntryView | null;
  readonly entryError: AppError | null;
  readonly restore: (RestorePlanResponse & { readonly side: RestoreSide }) | null;
  readonly restoring: boolean;
  readonly restoreError: AppError | null;
  readonly load: (filter: HistoryFilter) => Promise<void>;
  readonly more: () => Promise<void>;
  readonly open: (id: string | null) => Promise<void>;
  readonly planRestore: (side: RestoreSide, checkinTimeoutSeconds: number) => Promise<RestorePlanResponse | null>;
  readonly exportFile: (req: ChannelRequest<'history.export'>) => Promise<AppError | null>;
  readonly saveScript: (id: string) => Promise<AppError | null>;
}

function download(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(url);
}

export const useHistoryStore = create<HistoryState>()((set, get) => {
  let asked = 0;
  return {
    filter: {},
    page: null,
    loading: false,
    error: null,
    listedInMs: null,
    entry: null,
    entryError: null,
    restore: null,
    restoring: false,
    restoreError: null,
    load: async (filter) => {
      const mine = (asked += 1);
      const t0 = performance.now();
      set({ filter, loading: true, error: null });
      const res = await api.call('history.list', { ...filter, limit: HISTORY_PAGE, offset: 0 });
      if (mine !== asked) return; // a newer filter is on its way
      if (!res.ok) return set({ loading: false, error: res.error });
      set({ loading: false, page: res.value, listedInMs: Math.round(performance.now() - t0) });
    },
    more: async () => {
      const { page, filter } = get();
      if (!page) return;
      const mine = asked;
      set({ loading: true });
      const res = await api.call('history.list', { ...filter, limit: HISTORY_PAGE, offset: page.items.length });
      if (mine !== asked) return;
      if (!res.ok) return set({ loading: false, error: res.error });
      set({ loading: false, page: { ...res.value, items: [...page.items, ...res.value.items] } });
    },
    open: async (id) => {
      set({ entry: null, entryError: null, restore: null, restoreError: null });
      if (id === null) return;
      const res = await api.call('history.entry', { id });
      if (res.ok) set({ entry: res.value });
      else set({ entryError: res.error });
    },
    planRestore: async (side, checkinTimeoutSeconds) => {
      const entry = get().entry;
      if (!entry) return null;
      set({ restoring: true, restoreError: null, restore: null });
      const res = await api.call('bonds.planRestore', { entryId: entry.summary.id, side, checkinTimeoutSeconds });
      set({ restoring: false });
      if (!res.ok) {
        set({ restoreError: res.error });
        return null;
      }
      set({ restore: { ...res.value, side } });
      return res.value;
    },
    exportFile: async (req) => {
      const res = await api.call('history.export', req);
      if (!res.ok) return res.error;
      download(res.value.text, res.value.fileName, req.format === 'jsonl' ? 'application/jsonl' : 'text/plain');
      return null;
    },
    saveScript: async (id) => {
      const res = await api.call('history.planScript', { id });
      if (!res.ok) return res.error;
      download(res.value.script, res.value.fileName, 'text/x-shellscript');
      return null;
    },
  };
});

export type EntrySummary = Extract<AuditSummary, { kind: 'entry' }>;
