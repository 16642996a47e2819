import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { channels, type ChannelName } from '../../preload/contract';
import type { Dispatch } from '../ipc/dispatch';
import type { EventHub } from '../services/event-sink';
import { RENDERER_ORIGIN } from './renderer-protocol';

// The only file in main that touches ipcMain (lint enforces it). Every message's sender is checked
// against the windows we created and our renderer origin before the dispatch parses its payload.

export function bindIpc(dispatch: Dispatch, events: EventHub, trusted: () => readonly WebContents[]): () => void {
  const isTrusted = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    if (!frame || !frame.url.startsWith(`${RENDERER_ORIGIN}/`)) return false;
    return trusted().some((contents) => contents.id === event.sender.id);
  };
  const names = Object.keys(channels) as ChannelName[];
  for (const name of names) {
    ipcMain.handle(name, (event, payload: unknown) => {
      if (!isTrusted(event)) {
        return { ok: false, error: { code: 'FORBIDDEN', message: 'Request from an untrusted frame was refused.' } };
      }
      return dispatch(name, payload);
    });
  }
  const unsubscribe = events.subscribe((event, payload) => {
    for (const contents of trusted()) if (!contents.isDestroyed()) contents.send(`event:${event}`, payload);
  });
  return () => {
    unsubscribe();
    for (const name of names) ipcMain.removeHandler(name);
  };
}
