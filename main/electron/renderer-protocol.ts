import { net, protocol } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SECURITY_HEADERS } from '../server/csp';

// The renderer is served from app://bondsmith/, not file://, so it gets a real origin that the CSP,
// the IPC sender check and navigation rules can name (Electron security checklist, item 18).
export const RENDERER_SCHEME = 'app';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://bondsmith`;

/** Must run before the app's `ready` event. */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(RENDERER_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'bondsmith') return new Response('Not found', { status: 404 });
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
    const full = join(rendererDir, relative);
    if (!full.startsWith(rendererDir + sep)) return new Response('Not found', { status: 404 });
    const upstream = await net.fetch(pathToFileURL(full).toString()).catch(() => null);
    if (!upstream || !upstream.ok) return new Response('Not found', { status: 404 });
    const headers = new Headers(upstream.headers);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
    return new Response(upstream.body, { status: 200, headers });
  });
}
