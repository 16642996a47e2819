import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { createDispatch } from '../ipc/dispatch';
import { allowVirtualMembersFrom, createServices } from '../services/services';
import { APP_VERSION } from '../version';
import { bindIpc } from './ipc-binding';
import { registerRendererScheme, serveRenderer } from './renderer-protocol';
import { keyringCipher } from './secret-cipher';
import { createMainWindow } from './window';

// The Electron shell: lifecycle, window, IPC binding. Everything else is plain Node under ../services.

const appDir = join(__dirname, '..');

registerRendererScheme();
app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

void app.whenReady().then(() => {
  // Deny every permission request (camera, notifications, ...): Bondsmith needs none.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveRenderer(join(appDir, 'renderer'));
  const dataDir = process.env.BONDSMITH_DATA_DIR ?? app.getPath('userData');
  const services = createServices({ dataDir, mode: 'electron', version: APP_VERSION, cipher: keyringCipher(), allowVirtualMembers: allowVirtualMembersFrom(process.env) });
  const windows: BrowserWindow[] = [];
  const unbind = bindIpc(createDispatch(services), services.events, () => windows.filter((w) => !w.isDestroyed()).map((w) => w.webContents));
  const open = (): void => {
    windows.push(createMainWindow(appDir));
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('second-instance', () => windows.find((w) => !w.isDestroyed())?.focus());
  app.on('window-all-closed', () => {
    unbind();
    void services.dispose().then(() => app.quit());
  });
});
