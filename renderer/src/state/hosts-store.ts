import { create } from 'zustand';
import type { AppError, ChannelResponse, Host, HostInput } from '../../../preload/contract';
import { api } from '../api/api';

type AppInfo = ChannelResponse<'app.info'>;
type StoreProblem = ChannelResponse<'hosts.list'>['storeProblem'];

/** 'welcome' is the fleet overview once hosts exist. `bond` opens that bond's details on the host's screen. */
export type View =
  | { kind: 'welcome' }
  | { kind: 'add-host' }
  | { kind: 'import-hosts' }
  | { kind: 'edit-host'; id: string }
  | { kind: 'host'; id: string; bond?: string }
  | { kind: 'fleet-apply' }
  | { kind: 'fleet-run'; id: string }
  /** The history, across hosts or filtered to one; `entry` opens that entry. */
  | { kind: 'history'; hostId?: string; entry?: string };

interface HostsState {
  readonly hosts: readonly Host[];
  readonly loaded: boolean;
  readonly loadError: AppError | null;
  readonly storeProblem: StoreProblem;
  readonly secretsProblem: StoreProblem;
  readonly appInfo: AppInfo | null;
  readonly view: View;
  /** Load the list and keep it in step with main (it changes the list too: removing a jump host clears it on the hosts behind). */
  readonly init: () => () => void;
  readonly load: () => Promise<void>;
  readonly show: (view: View) => void;
  readonly addHost: (input: HostInput) => Promise<AppError | null>;
  readonly updateHost: (id: string, input: HostInput) => Promise<AppError | null>;
  readonly removeHost: (id: string) => Promise<AppError | null>;
}

export const useHostsStore = create<HostsState>()((set, get) => {
  let listsAsked = 0;
  const loadList = async (): Promise<void> => {
    const asked = (listsAsked += 1);
    const list = await api.call('hosts.list', {});
    if (asked !== listsAsked) return; // a newer list is on its way
    if (list.ok) set({ hosts: list.value.hosts, storeProblem: list.value.storeProblem, secretsProblem: list.value.secretsProblem, loaded: true, loadError: null });
    else set({ loaded: true, loadError: list.error });
  };
  return {
    hosts: [],
    loaded: false,
    loadError: null,
    storeProblem: null,
    secretsProblem: null,
    appInfo: null,
    view: { kind: 'welcome' },

    init: () => {
      const off = api.on('hosts.changed', () => void loadList());
      void get().load();
      return off;
    },

    load: async () => {
      const [info] = await Promise.all([api.call('app.info', {}), loadList()]);
      if (info.ok) set({ appInfo: info.value });
    },

    show: (view) => {
      set({ view });
    },

    addHost: async (input) => {
      const res = await api.call('hosts.add', input);
      if (!res.ok) return res.error;
      set({ hosts: [...get().hosts.filter((h) => h.id !== res.value.id), res.value], view: get().view.kind === 'import-hosts' ? get().view : { kind: 'host', id: res.value.id } });
      return null;
    },

    updateHost: async (id, input) => {
      const res = await api.call('hosts.update', { id, host: input });
      if (!res.ok) return res.error;
      set({ hosts: get().hosts.map((h) => (h.id === id ? res.value : h)), view: { kind: 'host', id } });
      return null;
    },

    removeHost: async (id) => {
      const res = await api.call('hosts.remove', { id });
      if (!res.ok) return res.error;
      set({ hosts: get().hosts.filter((h) => h.id !== id), view: { kind: 'welcome' } });
      return null;
    },
  };
});
