import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionState, DiscoveryResult } from '../../preload/contract';
import { createServices, type Services } from '../../main/services/services';
import { BenchError, timed, type MethodResult } from './bench-kit';
import type { BenchHost } from './openssh-methods';

// Bondsmith's main-process services, exactly as the app drives them: one SessionService session per
// host (ssh2), connected in parallel, then one discovery refresh per host in parallel.

export interface BondsmithHost extends BenchHost {
  /** The lab guest's host key as a known_hosts line, so connecting needs no trust prompt. */
  readonly knownHostsLine: string;
}

export interface BondsmithBench {
  readonly cold: MethodResult;
  readonly warm: MethodResult;
}

function waitReady(services: Services, hostId: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // ready resolves; failed or a trust prompt (the pre-written known_hosts did not match) rejects.
    const verdict = (s: ConnectionState | undefined): 'wait' | 'ready' | BenchError => {
      if (s?.state === 'ready') return 'ready';
      if (s?.state === 'failed' || s?.state === 'awaiting-trust') {
        return new BenchError('CONNECT', `host ${hostId} ended in ${s.state}: ${s.reason?.code ?? ''} ${s.reason?.message ?? ''}`.trim());
      }
      return 'wait';
    };
    let off = (): void => undefined;
    const timer = setTimeout(() => {
      off();
      reject(new BenchError('CONNECT_TIMEOUT', `host ${hostId} was not ready within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const settle = (s: ConnectionState | undefined): void => {
      const v = verdict(s);
      if (v === 'wait') return;
      clearTimeout(timer);
      off();
      if (v === 'ready') resolve();
      else reject(v);
    };
    off = services.events.subscribe((event, payload) => {
      if (event === 'session.state' && (payload as ConnectionState).hostId === hostId) settle(payload as ConnectionState);
    });
    settle(services.sessions.states().find((s) => s.hostId === hostId));
  });
}

function checkFacts(label: string, r: DiscoveryResult): void {
  const names = r.facts?.interfaces.map((i) => i.name) ?? [];
  if (r.error !== null || !names.includes('eno1')) {
    throw new BenchError('DISCOVERY', `${label}: discovery failed: ${r.error ? `${r.error.code} ${r.error.message}` : `no eno1 among ${names.join(', ')}`}`);
  }
}

async function refreshAll(services: Services, ids: readonly string[], labels: readonly string[]): Promise<void> {
  const results = await Promise.all(ids.map((id) => services.sessions.refresh(id)));
  results.forEach((r, i) => checkFacts(labels[i] ?? r.hostId, r));
}

async function connectAll(services: Services, ids: readonly string[]): Promise<void> {
  await Promise.all(ids.map((id) => services.sessions.connect(id)));
  await Promise.all(ids.map((id) => waitReady(services, id, 120_000)));
}

/**
 * Cold: every round starts with no session (the first round also with a freshly created service
 * set), connects all hosts in parallel and refreshes them all. Warm: sessions stay open, and each
 * round is one parallel refresh of all hosts.
 */
export async function benchBondsmith(hosts: readonly BondsmithHost[], rounds: number, dataDir: string): Promise<BondsmithBench> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'known_hosts'), `${hosts.map((h) => h.knownHostsLine).join('\n')}\n`);
  const services = createServices({ dataDir, mode: 'browser', version: 'bench', cipher: null, userKnownHosts: [] });
  try {
    const ids: string[] = [];
    for (const h of hosts) {
      const added = await services.hosts.add({ label: h.name, address: '127.0.0.1', port: h.port, user: 'root', auth: { kind: 'key', keyPath: h.keyPath }, jumpHostId: null, tags: [], useSudo: false });
      ids.push(added.id);
    }
    const labels = hosts.map((h) => h.name);
    const cold: number[] = [];
    for (let i = 0; i < rounds; i++) {
      if (i > 0) await Promise.all(ids.map((id) => services.sessions.disconnect(id)));
      const t = await timed(async () => {
        await connectAll(services, ids);
        await refreshAll(services, ids, labels);
      });
      cold.push(t.seconds);
    }
    const warm: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = await timed(() => refreshAll(services, ids, labels));
      warm.push(t.seconds);
    }
    return {
      cold: { method: 'Bondsmith cold', note: 'connect all in parallel (ssh2 handshake, key auth) + one discovery refresh per host, parsed into facts', seconds: cold },
      warm: { method: 'Bondsmith warm', note: 'sessions already open; one discovery refresh per host in parallel, parsed into facts', seconds: warm },
    };
  } finally {
    await services.dispose();
  }
}
