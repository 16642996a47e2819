import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { labExec, type LabHostStatus } from '../lab/lab';
import type { ApplyState, ConnectionState, HostInput } from '../../preload/contract';
import type { BondSpec } from '../../preload/contract/bond-spec';
import type { AuditEntry } from '../../preload/contract';
import { createServices, type Services } from '../../main/services/services';

// Shared by the apply-*.itest.ts files: one Services instance per file, driven exactly as the UI
// drives it (plan -> apply -> watch 'apply.state' -> keep/revert), and independent checks on the box
// over the lab's control path.

export interface Kit {
  readonly services: Services;
  readonly lab: string;
}

/** `dataDir` reuses an earlier kit's user data directory: the app started again on the same machine. */
export async function makeKit(lab: string, dataDir?: string): Promise<Kit> {
  dataDir ??= await mkdtemp(join(tmpdir(), `bs-${lab}-`));
  const services = createServices({ dataDir, mode: 'browser', version: 'test', cipher: null, userKnownHosts: [], allowVirtualMembers: true });
  if (process.env.BONDSMITH_TRACE_APPLY === '1') traceApplies(services);
  return { services, lab };
}

/** BONDSMITH_TRACE_APPLY=1: print each step's status change with the time since the apply started. */
function traceApplies(services: Services): void {
  const seen = new Map<string, { t0: number; marks: Map<string, string> }>();
  services.events.subscribe((event, payload) => {
    if (event !== 'apply.state') return;
    const s = payload as ApplyState;
    const rec = seen.get(s.applyId) ?? { t0: Date.now(), marks: new Map<string, string>() };
    seen.set(s.applyId, rec);
    const at = ((Date.now() - rec.t0) / 1000).toFixed(1);
    for (const step of s.steps) {
      if (rec.marks.get(step.id) === step.status) continue;
      rec.marks.set(step.id, step.status);
      console.log(`[apply ${s.applyId.slice(0, 6)} +${at}s] ${step.id} ${step.status}${step.detail ? `: ${step.detail.slice(0, 200)}` : ''}`);
    }
    if (rec.marks.get('#phase') !== s.phase) {
      rec.marks.set('#phase', s.phase);
      console.log(`[apply ${s.applyId.slice(0, 6)} +${at}s] phase ${s.phase} ${s.result ?? ''} ${s.message}`);
    }
  });
}

export function waitForSession(kit: Kit, hostId: string, want: (s: ConnectionState) => boolean, timeoutMs = 90_000): Promise<ConnectionState> {
  return new Promise((resolve, reject) => {
    const now = kit.services.sessions.states().find((s) => s.hostId === hostId);
    if (now && want(now)) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`host ${hostId} did not reach the expected session state; last: ${JSON.stringify(kit.services.sessions.states().find((s) => s.hostId === hostId))}`));
    }, timeoutMs);
    const off = kit.services.events.subscribe((event, payload) => {
      if (event !== 'session.state') return;
      const s = payload as ConnectionState;
      if (s.hostId === hostId && want(s)) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}

/** Adds the lab host as the UI would, trusts its key on first contact, and waits until ready. */
export async function connectHost(kit: Kit, host: LabHostStatus, user: 'root' | 'admin'): Promise<string> {
  const input: HostInput = { label: host.name, address: '127.0.0.1', port: host.ssh.port, user, auth: { kind: 'key', keyPath: host.keyPath }, jumpHostId: null, tags: [], useSudo: user !== 'root' };
  const id = (await kit.services.hosts.add(input)).id;
  await kit.services.sessions.connect(id);
  const s = await waitForSession(kit, id, (x) => x.state === 'awaiting-trust' || x.state === 'ready');
  if (s.state === 'awaiting-trust') await kit.services.sessions.trust(id, s.hostKey?.fingerprint ?? '');
  await waitForSession(kit, id, (x) => x.state === 'ready');
  return id;
}

export function bondSpec(partial: Partial<BondSpec> & Pick<BondSpec, 'name' | 'protocol' | 'members'>): BondSpec {
  return { description: '', xmitHashPolicy: null, lacpduRate: null, aliases: [], dhcp: false, mtu: null, ...partial };
}

/** Watches 'apply.state' for one apply until `want` holds (or the apply finished otherwise). */
export function waitForApply(kit: Kit, applyId: string, want: (s: ApplyState) => boolean, timeoutMs: number): Promise<ApplyState> {
  return new Promise((resolve, reject) => {
    const current = kit.services.bonds.applies().applies.find((a) => a.applyId === applyId);
    if (current && (want(current) || current.phase === 'finished')) return resolve(current);
    let last: ApplyState | undefined = current;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`apply ${applyId} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last, null, 1)}`));
    }, timeoutMs);
    const off = kit.services.events.subscribe((event, payload) => {
      if (event !== 'apply.state') return;
      const s = payload as ApplyState;
      if (s.applyId !== applyId) return;
      last = s;
      if (want(s) || s.phase === 'finished') {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}

export type Settled = 'awaiting-confirmation' | 'finished';

/** Plans and applies a change; resolves at awaiting-confirmation (or finished). Fails on field errors. */
export async function planAndApply(
  kit: Kit,
  hostId: string,
  req: { action: 'create' | 'update' | 'delete'; spec: BondSpec | null; bondName: string | null; checkinTimeoutSeconds: number },
  autoKeep = false,
  timeoutMs = 150_000,
): Promise<ApplyState> {
  const { plan, fieldErrors } = await kit.services.bonds.plan({ hostId, ...req });
  expect(fieldErrors, JSON.stringify(fieldErrors)).toEqual([]);
  if (!plan) throw new Error('no plan');
  const started = await kit.services.bonds.apply(plan.planId, autoKeep);
  return waitForApply(kit, started.applyId, (s) => s.phase === 'awaiting-confirmation' || s.phase === 'finished', timeoutMs);
}

/** Applies and keeps; asserts the result is confirmed. */
export async function applyAndKeep(kit: Kit, hostId: string, req: Parameters<typeof planAndApply>[2]): Promise<ApplyState> {
  const t0 = Date.now();
  const s = await planAndApply(kit, hostId, req);
  expect(s.phase, describe(s)).toBe('awaiting-confirmation');
  expect(s.checks.filter((c) => !c.ok), describe(s)).toEqual([]);
  const kept = await kit.services.bonds.keep(s.applyId);
  expect(kept.result, describe(kept)).toBe('confirmed');
  console.log(`${req.action} ${req.bondName ?? req.spec?.name ?? ''} kept in ${Date.now() - t0} ms`);
  return kept;
}

export function describe(s: ApplyState): string {
  return `${s.phase}/${s.result ?? '-'}: ${s.message}\n${s.steps.map((x) => `  ${x.status.padEnd(8)} ${x.id}: ${x.detail ?? ''}`).join('\n')}`;
}

export async function onBox(kit: Kit, host: string, command: string, timeoutMs = 30_000): Promise<string> {
  const r = await labExec(host, command, { user: 'root', timeoutMs }, kit.lab);
  return r.stdout;
}

/** Like onBox, for a command that must succeed: a non-zero exit throws with what it printed. */
export async function onBoxOk(kit: Kit, host: string, command: string, timeoutMs = 30_000): Promise<string> {
  const r = await labExec(host, command, { user: 'root', timeoutMs }, kit.lab);
  if (r.code !== 0) throw new Error(`${command} on ${host} exited ${r.code}: ${(r.stderr.trim() || r.stdout.trim()).slice(0, 400)}`);
  return r.stdout;
}

/** Polls a condition on the box until it holds (deadline, bounded attempts). */
export async function eventually<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000, intervalMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await probe();
  for (let i = 0; i < 10_000 && !ok(last) && Date.now() < end; i++) {
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await probe();
  }
  if (!ok(last)) throw new Error(`${what} did not happen within ${timeoutMs} ms; last: ${typeof last === 'string' ? last : JSON.stringify(last)}`);
  return last;
}

/** A TCP probe to the switch's address through whatever interface routes 192.0.2.0/24; "Connection refused" is the round trip. */
export async function reachesSwitch(kit: Kit, host: string): Promise<boolean> {
  const out = await onBox(kit, host, "timeout 4 bash -c 'exec 3<>/dev/tcp/192.0.2.254/9' 2>&1; true");
  return /refused/i.test(out);
}

export async function procBonding(kit: Kit, host: string, bond: string): Promise<string> {
  return onBox(kit, host, `cat /proc/net/bonding/${bond} 2>/dev/null || echo absent`);
}

export async function bondExists(kit: Kit, host: string, bond: string): Promise<boolean> {
  return !/^absent/.test((await procBonding(kit, host, bond)).trim());
}

export async function auditEntries(kit: Kit, hostId: string): Promise<AuditEntry[]> {
  return (await kit.services.audit.read(hostId)).entries;
}

/** The audit entry for an apply is written after it finished (after a refresh); wait for it. */
export async function auditFor(kit: Kit, hostId: string, match: (e: AuditEntry) => boolean): Promise<AuditEntry> {
  const entries = await eventually('audit entry', () => auditEntries(kit, hostId), (es) => es.some(match), 60_000, 300);
  const found = entries.find(match);
  if (!found) throw new Error('no audit entry');
  return found;
}
