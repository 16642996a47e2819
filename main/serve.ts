import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDispatch } from './ipc/dispatch';
import { startBrowserServer } from './server/browser-server';
import { readStandardInput, resolveLaunchToken, tokenOnCommandLine } from './server/launch-token';
import { allowVirtualMembersFrom, createServices, defaultDataDir } from './services/services';
import { APP_VERSION } from './version';

// `npm run serve`: browser mode. The same services as the Electron app, reachable from a browser on
// this machine through a tokened URL.

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const onCommandLine = tokenOnCommandLine(process.argv.slice(2));
  if (onCommandLine !== null) {
    console.error(`bondsmith: ${onCommandLine}`);
    process.exit(2);
  }
  const { values } = parseArgs({
    options: { port: { type: 'string' }, 'token-file': { type: 'string' }, 'token-stdin': { type: 'boolean' }, 'renderer-dir': { type: 'string' } },
    allowPositionals: false,
  });
  const portText = values.port ?? process.env.BONDSMITH_PORT ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`bondsmith: --port must be a number from 0 to 65535, not "${portText}"`);
    process.exit(2);
  }
  const resolved = await resolveLaunchToken({ tokenFile: values['token-file'], tokenStdin: values['token-stdin'] ?? false, env: process.env, readStdin: () => readStandardInput() });
  if (!resolved.ok) {
    console.error(`bondsmith: ${resolved.message}`);
    process.exit(2);
  }
  const token = resolved.token;
  const rendererDir = values['renderer-dir'] ?? join(here, '..', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    console.error(`bondsmith: no built renderer in ${rendererDir}; run \`npm run build\` first`);
    process.exit(1);
  }
  const services = createServices({ dataDir: defaultDataDir(process.env, homedir()), mode: 'browser', version: APP_VERSION, cipher: null, allowVirtualMembers: allowVirtualMembersFrom(process.env) });
  const server = await startBrowserServer({ port, token, rendererDir, dispatch: createDispatch(services), events: services.events });
  console.log(`Bondsmith (browser mode) is running. Open this URL in a browser on this machine:\n  ${server.url}`);
  console.log('Passwords and passphrases typed in browser mode are kept in memory only. Press Ctrl+C to stop.');
  const stop = (): void => {
    void server.close().then(() => services.dispose()).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`bondsmith: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
