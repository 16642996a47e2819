import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { Host, HostInput } from '../../preload/contract';
import { AppFailure } from '../errors';
import { formatLimit } from '../files/bounded-read';
import { MAX_KEY_FILE_BYTES } from '../ssh/auth';
import type { HostStore, StoredHost, StoreProblem } from '../store/host-store';
import type { SecretStore } from '../store/secret-store';
import type { EventSink } from './event-sink';
import type { SessionService } from './session-service';

/** The most jump hosts a session goes through to reach a host; the host list refuses longer chains. */
export const MAX_JUMP_DEPTH = 4;

/** Add, edit and remove hosts. Payloads arrive already parsed by the dispatch; this adds the checks that need I/O. */
export class HostService {
  constructor(
    private readonly store: HostStore,
    private readonly secrets: SecretStore,
    private readonly events: EventSink,
    private readonly sessions: Pick<SessionService, 'forget'>,
  ) {}

  async list(): Promise<{ hosts: Host[]; storeProblem: StoreProblem | null; secretsProblem: StoreProblem | null }> {
    await this.store.load();
    const hosts = await Promise.all(this.store.list().map((h) => this.toHost(h)));
    return { hosts, storeProblem: this.store.storeProblem(), secretsProblem: await this.secrets.problem() };
  }

  async add(input: HostInput): Promise<Host> {
    await this.store.load();
    await this.check(input, null);
    // Checked first, so a host is never added whose secret then cannot be saved.
    if (secretOf(input)) await this.secrets.assertWritable();
    const stored = await this.store.add(toStored(input));
    await this.saveSecret(stored.id, input, null);
    this.events.emit('hosts.changed', { reason: 'added', id: stored.id });
    return this.toHost(stored);
  }

  async update(id: string, input: HostInput): Promise<Host> {
    await this.store.load();
    const before = this.store.get(id);
    if (!before) throw new AppFailure('NOT_FOUND', 'That host is no longer in the list.');
    await this.check(input, id);
    if (input.auth.kind === 'agent' || secretOf(input)) await this.secrets.assertWritable();
    const stored = await this.store.update(id, toStored(input));
    if (!stored) throw new AppFailure('NOT_FOUND', 'That host is no longer in the list.');
    await this.saveSecret(id, input, before.auth.kind);
    this.events.emit('hosts.changed', { reason: 'updated', id });
    return this.toHost(stored);
  }

  async remove(id: string): Promise<{ id: string }> {
    await this.store.load();
    await this.secrets.assertWritable();
    if (!(await this.store.remove(id))) throw new AppFailure('NOT_FOUND', 'That host is no longer in the list.');
    // Out of the list first, so a connect that starts now finds no host to open.
    await this.sessions.forget(id);
    await this.secrets.delete(id);
    this.events.emit('hosts.changed', { reason: 'removed', id });
    return { id };
  }

  private async check(input: HostInput, selfId: string | null): Promise<void> {
    if (input.auth.kind === 'key') {
      const path = expandHome(input.auth.keyPath);
      const info = await stat(path).catch(() => null);
      if (!info) throw new AppFailure('KEY_FILE_MISSING', `No key file at ${path}`, 'auth.keyPath');
      if (!info.isFile()) throw new AppFailure('KEY_FILE_MISSING', `${path} is not a file`, 'auth.keyPath');
      if (info.size > MAX_KEY_FILE_BYTES) throw new AppFailure('KEY_FILE_TOO_LARGE', `${path} is larger than ${formatLimit(MAX_KEY_FILE_BYTES)}: not a private key`, 'auth.keyPath');
    }
    if (input.jumpHostId !== null) {
      if (input.jumpHostId === selfId) throw new AppFailure('INVALID', 'A host cannot be its own jump host', 'jumpHostId');
      if (!this.store.get(input.jumpHostId)) throw new AppFailure('INVALID', 'The chosen jump host is not in the list', 'jumpHostId');
      this.checkJumpChains(input.jumpHostId, selfId);
    }
  }

  /**
   * The session follows at most MAX_JUMP_DEPTH jump hosts and refuses a loop; refuse both here, on
   * the form, for this host and for every host that reaches a box through it.
   */
  private checkJumpChains(jumpHostId: string, selfId: string | null): void {
    // A host being added has no id yet; '' is never one.
    const self = selfId ?? '';
    const jumpOf = new Map(this.store.list().map((h) => [h.id, h.jumpHostId]));
    jumpOf.set(self, jumpHostId);
    const own = jumpChain(jumpOf, self);
    if (own.loops) throw new AppFailure('JUMP_LOOP', 'This jump host leads back to this host.', 'jumpHostId');
    if (own.hops.length > MAX_JUMP_DEPTH) {
      throw new AppFailure('JUMP_LOOP', `This jump host makes a chain of more than ${MAX_JUMP_DEPTH} jump hosts.`, 'jumpHostId');
    }
    if (selfId === null) return;
    for (const other of this.store.list()) {
      const chain = jumpChain(jumpOf, other.id);
      if (chain.hops.includes(selfId) && chain.hops.length > MAX_JUMP_DEPTH) {
        throw new AppFailure('JUMP_LOOP', `This jump host would put ${other.label} behind more than ${MAX_JUMP_DEPTH} jump hosts.`, 'jumpHostId');
      }
    }
  }

  /**
   * A secret left empty keeps the stored one only while the auth kind stays the same: a password
   * kept for a host that now uses a key would be offered as the key's passphrase.
   */
  private async saveSecret(id: string, input: HostInput, kindBefore: StoredHost['auth']['kind'] | null): Promise<void> {
    const secret = secretOf(input);
    if (secret) await this.secrets.set(id, secret);
    else if (input.auth.kind === 'agent' || input.auth.kind !== kindBefore) await this.secrets.delete(id);
  }

  private async toHost(h: StoredHost): Promise<Host> {
    return { ...h, hasSecret: await this.secrets.has(h.id) };
  }
}

/** The password or passphrase the form sent; empty or absent keeps the stored one. */
function secretOf(input: HostInput): string | undefined {
  const secret = input.auth.kind === 'password' ? input.auth.password : input.auth.kind === 'key' ? input.auth.passphrase : undefined;
  return secret === '' ? undefined : secret;
}

function toStored(input: HostInput): Omit<StoredHost, 'id'> {
  const auth: StoredHost['auth'] =
    input.auth.kind === 'key' ? { kind: 'key', keyPath: input.auth.keyPath } : { kind: input.auth.kind };
  return {
    label: input.label,
    address: input.address,
    port: input.port,
    user: input.user,
    auth,
    jumpHostId: input.jumpHostId,
    tags: [...new Set(input.tags)],
    useSudo: input.useSudo,
  };
}

/** The jump hosts a host goes through, nearest first; stops at a loop or one hop past the limit. */
function jumpChain(jumpOf: ReadonlyMap<string, string | null>, start: string): { hops: string[]; loops: boolean } {
  const hops: string[] = [];
  for (let next = jumpOf.get(start) ?? null; next !== null; next = jumpOf.get(next) ?? null) {
    if (next === start || hops.includes(next)) return { hops, loops: true };
    hops.push(next);
    if (hops.length > MAX_JUMP_DEPTH) break;
  }
  return { hops, loops: false };
}

export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}
