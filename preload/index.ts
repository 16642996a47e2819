import { contextBridge, ipcRenderer } from 'electron';
import type { ChannelName, EventName } from './contract';
import type { BondsmithBridge } from './bridge-types';

// The sandboxed preload: imports nothing at runtime but electron, exposes one function per
// channel (never a generic invoke) and never hands the raw IpcRendererEvent to the page.

const CHANNELS = [
  'app.info',
  'hosts.list',
  'hosts.add',
  'hosts.update',
  'hosts.remove',
  'hosts.importSshConfig',
  'sessions.connect',
  'sessions.disconnect',
  'sessions.trust',
  'sessions.states',
  'discovery.refresh',
  'discovery.latest',
  'bonds.eligible',
  'bonds.plan',
  'bonds.planScript',
  'bonds.apply',
  'bonds.keep',
  'bonds.revert',
  'bonds.planUndo',
  'bonds.applies',
  'bonds.resolvePending',
  'audit.list',
  'history.list',
  'history.entry',
  'history.export',
  'history.planScript',
  'bonds.planRestore',
  'fleet.preview',
  'fleet.start',
  'fleet.pause',
  'fleet.resume',
  'fleet.abort',
  'fleet.runs',
] as const satisfies readonly ChannelName[];
const EVENTS = ['hosts.changed', 'session.state', 'discovery.result', 'apply.state', 'fleet.run', 'change.recovered', 'app.problem'] as const satisfies readonly EventName[];

// Compile-time check that the lists above name every channel and event of the contract.
type Missing<All, Listed> = Exclude<All, Listed>;
const allChannelsListed: Missing<ChannelName, (typeof CHANNELS)[number]> extends never ? true : false = true;
const allEventsListed: Missing<EventName, (typeof EVENTS)[number]> extends never ? true : false = true;
void allChannelsListed;
void allEventsListed;

const api: Record<string, unknown> = {};
for (const channel of CHANNELS) {
  api[channel] = (request: unknown) => ipcRenderer.invoke(channel, request);
}
api.on = (event: EventName, listener: (payload: unknown) => void) => {
  if (!(EVENTS as readonly string[]).includes(event)) return () => undefined;
  const wrapped = (_e: unknown, payload: unknown): void => listener(payload);
  ipcRenderer.on(`event:${event}`, wrapped);
  return () => ipcRenderer.removeListener(`event:${event}`, wrapped);
};

const bridge = api as BondsmithBridge;
contextBridge.exposeInMainWorld('bondsmith', bridge);
