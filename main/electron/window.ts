import { BrowserWindow, type WebPreferences } from 'electron';
import { join } from 'node:path';
import { RENDERER_ORIGIN } from './renderer-protocol';

/**
 * The one place that decides every window's security settings (Electron security checklist:
 * context isolation, sandbox, no Node integration, no remote content, no navigation).
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  };
}

export function createMainWindow(appDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Bondsmith',
    show: false,
    backgroundColor: '#0f172a',
    webPreferences: secureWebPreferences(join(appDir, 'preload', 'index.cjs')),
  });
  const contents = win.webContents;
  // Nothing but our own renderer ever loads here: deny navigation, new windows and webviews.
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${RENDERER_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${RENDERER_ORIGIN}/index.html`);
  return win;
}
