import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { resolveAuth, type ResolvedAuth } from './auth';
import { backoffDelay, DEFAULT_RECONNECT, type ReconnectPolicy } from './backoff';
import { attemptConnect, endClient, type AttemptOutcome } from './connect-attempt';
import { startExec, type ExecOptions, type ExecResult, type RunningExec } from './exec';
import type { HostSessionConfig, JumpConfig, SessionState } from './host-session-config';
import type { KnownHostEntry } from './known-hosts';
import { loadKnownHosts, trustHostKey } from './known-hosts-store';
import { wrapRemoteCommand } from '../shell/quote';
import { Semaphore } from './semaphore';
import { classifyClientError, isRetryable, SshError } from './ssh-error';

// One SSH connection per host (DESIGN.md "Architecture": ssh2 Client per host), its state as
// events, keepalives, reconnects after a drop, and a bounded number of parallel commands.

/** Waits before opening a refused channel again; a refusal that outlasts them is reported. */
const OPEN_RETRY_MS = [50, 150, 400] as const;
const IDLE: SessionState = { state: 'idle', reason: null, hostKey: null };

export class HostSession {
  private current: SessionState = IDLE;
  private readonly events = new EventEmitter();
  private readonly semaphore: Semaphore;
  private readonly policy: ReconnectPolicy;
  private client: Client | null = null;
  private verifiedKey: Buffer | null = null;
  private connecting: Promise<SessionState> | null = null;
  private pendingTrust: { readonly keyType: string; readonly blob: Buffer } | 'jump' | null = null;
  private jumpSession: HostSession | null = null;
  private readonly inflight = new Set<RunningExec>();
  /** Bumped by close(): results of attempts started before it are thrown away. */
  private generation = 0;
  private wake: (() => void) | null = null;

  // The config holds secrets (password, passphrase): it stays private so it is never serialized with the session.
  constructor(private readonly config: HostSessionConfig, private readonly pinnedKey: Buffer | null = null) {
    this.semaphore = new Semaphore(config.maxChannels ?? 6);
    this.policy = { ...DEFAULT_RECONNECT, ...config.reconnect };
    this.events.setMaxListeners(0);
  }

  get state(): SessionState {
    return this.current;
  }

  get where(): string {
    return `${this.config.username}@${this.config.host}:${this.config.port}`;
  }

  snapshot(): SessionState {
    return this.current;
  }

  on(event: 'state', listener: (state: SessionState) => void): this {
    this.events.on(event, listener);
    return this;
  }

  off(event: 'state', listener: (state: SessionState) => void): this {
    this.events.off(event, listener);
    return this;
  }

  /** Subscribe to state changes; returns the unsubscribe function. */
  onState(listener: (state: SessionState) => void): () => void {
    this.events.on('state', listener);
    return () => this.events.off('state', listener);
  }

  /** Connect unless ready or already on the way; resolves with the settled state, never rejects. */
  connect(): Promise<SessionState> {
    if (this.current.state === 'ready') return Promise.resolve(this.current);
    if (this.connecting) return this.connecting;
    const generation = this.generation;
    this.setState({ state: 'connecting', reason: null, hostKey: null });
    const run = this.attempt(generation).then((outcome) => this.settleInitial(outcome, generation));
    this.connecting = run;
    void run.finally(() => {
      if (this.connecting === run) this.connecting = null;
    });
    return run;
  }

  /** Store the key shown in awaiting-trust in the app's known_hosts and connect again. */
  async trust(): Promise<void> {
    const pending = this.pendingTrust;
    if (this.current.state !== 'awaiting-trust' || pending === null) {
      throw new SshError('NOTHING_TO_TRUST', `${this.config.host}:${this.config.port} is not waiting for a host key decision.`);
    }
    if (pending === 'jump') {
      if (this.jumpSession) await this.jumpSession.trust();
    } else {
      await trustHostKey(this.config.knownHosts.appStore, this.config.host, this.config.port, pending.keyType, pending.blob);
    }
    this.pendingTrust = null;
    this.setState(IDLE);
    void this.connect();
  }

  async close(): Promise<void> {
    this.generation++;
    this.wake?.();
    this.connecting = null;
    this.pendingTrust = null;
    const client = this.client;
    this.client = null;
    this.failInflight(new SshError('NOT_CONNECTED', `The session to ${this.where} was closed.`));
    if (this.current.state !== 'idle') this.setState(IDLE);
    await Promise.all([client ? endClient(client) : Promise.resolve(), this.jumpSession?.close()]);
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const wrapped = wrapRemoteCommand(command);
    if (!this.client) throw this.notConnected();
    const release = await this.semaphore.acquire();
    const client = this.client;
    if (!client || this.current.state !== 'ready') {
      release();
      throw this.notConnected();
    }
    let run = startExec(client, wrapped, opts, this.where);
    try {
      for (let attempt = 0; ; attempt++) {
        this.inflight.add(run);
        try {
          return await run.result;
        } catch (err) {
          if (!(err instanceof SshError && err.code === 'CHANNEL_OPEN_FAILED') || attempt >= OPEN_RETRY_MS.length) throw err;
        } finally {
          this.inflight.delete(run);
        }
        // sshd frees a closed channel's session slot a moment after the close (its next garbage
        // collection), so channels opened right as others close can be refused at MaxSessions.
        await run.finished;
        await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_MS[attempt]));
        if (this.client !== client || this.current.state !== 'ready') throw this.notConnected();
        run = startExec(client, wrapped, opts, this.where);
      }
    } finally {
      void run.finished.then(release);
    }
  }

  /** A TCP stream from this host to dst (what ProxyJump does); not limited by MaxSessions. */
  forwardOut(dstHost: string, dstPort: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const client = this.client;
      if (!client || this.current.state !== 'ready') return reject(this.notConnected());
      const fail = (detail: string): void =>
        reject(new SshError('FORWARD_FAILED', `The jump host ${this.where} could not open a connection to ${dstHost}:${dstPort} (${detail}). It must allow TCP forwarding (AllowTcpForwarding) and reach the target.`));
      try {
        client.forwardOut('127.0.0.1', 0, dstHost, dstPort, (err, stream) => {
          if (err) return fail(err.message);
          stream.on('error', () => undefined); // surfaces as the target session's close
          resolve(stream);
        });
      } catch {
        reject(this.notConnected());
      }
    });
  }

  /**
   * A second, independent connection with the same settings (the safe apply verifies over it).
   * With another address, the key this session verified is accepted there too, since it is the
   * same box; a different key at the new address still goes through known_hosts.
   */
  async openFresh(overrides: { address?: string; port?: number } = {}): Promise<HostSession> {
    const config: HostSessionConfig = { ...this.config, id: `${this.config.id}#fresh`, host: overrides.address ?? this.config.host, port: overrides.port ?? this.config.port };
    const fresh = new HostSession(config, this.verifiedKey);
    const state = await fresh.connect();
    if (state.state === 'ready') return fresh;
    await fresh.close();
    throw new SshError((state.reason?.code ?? 'SSH_ERROR') as SshError['code'], state.reason?.message ?? `Could not open a fresh connection to ${fresh.where}.`);
  }

  // ---- internals -------------------------------------------------------------------------------

  private async attempt(generation: number): Promise<AttemptOutcome | null> {
    let sock: Duplex | undefined;
    try {
      const [auth, known] = await Promise.all([
        resolveAuth(this.config.auth, this.config.username),
        loadKnownHosts([...this.config.knownHosts.userFiles, this.config.knownHosts.appStore]),
      ]);
      if (this.config.jump) {
        const viaJump = await this.throughJump(this.config.jump);
        if ('ok' in viaJump) return viaJump;
        sock = viaJump.sock;
      }
      if (generation !== this.generation) return null;
      // Only the handshake itself holds a slot: a target waiting on its jump host holds none, so
      // a fleet behind one jump host cannot take every slot and wait on itself.
      const release = await this.config.handshakes?.acquire();
      try {
        if (generation !== this.generation) {
          sock?.destroy();
          return null;
        }
        return await this.handshake(auth, known.entries, sock);
      } finally {
        release?.();
      }
    } catch (err) {
      sock?.destroy();
      const error = err instanceof SshError ? err : classifyClientError(err, this.where, 'the credentials');
      return { ok: false, error, hostKey: null, presented: null };
    }
  }

  private handshake(auth: ResolvedAuth, knownHosts: readonly KnownHostEntry[], sock: Duplex | undefined): Promise<AttemptOutcome> {
    return attemptConnect({
      host: this.config.host,
      port: this.config.port,
      username: this.config.username,
      where: this.where,
      auth,
      knownHosts,
      pinnedKey: this.pinnedKey,
      ...(sock ? { sock } : {}),
      keepaliveMs: this.config.keepaliveMs ?? 15_000,
      keepaliveCountMax: this.config.keepaliveCountMax ?? 3,
      readyTimeoutMs: this.config.readyTimeoutMs ?? 20_000,
    });
  }

  private async throughJump(jump: JumpConfig): Promise<{ sock: Duplex } | AttemptOutcome> {
    this.jumpSession ??= new HostSession({
      ...jump,
      knownHosts: jump.knownHosts ?? this.config.knownHosts,
      keepaliveMs: jump.keepaliveMs ?? this.config.keepaliveMs,
      readyTimeoutMs: jump.readyTimeoutMs ?? this.config.readyTimeoutMs,
      reconnect: jump.reconnect ?? this.config.reconnect,
      handshakes: jump.handshakes ?? this.config.handshakes,
    });
    const jumpState = await this.jumpSession.connect();
    if (jumpState.state !== 'ready') {
      const code = (jumpState.reason?.code ?? 'JUMP_FAILED') as SshError['code'];
      const error = new SshError(code, `Through the jump host ${this.jumpSession.where}: ${jumpState.reason?.message ?? 'it is not connected.'}`);
      // A jump host waiting for trust makes this host wait too; trust() is passed on to it.
      return { ok: false, error, hostKey: jumpState.state === 'awaiting-trust' ? jumpState.hostKey : null, presented: null };
    }
    return { sock: await this.jumpSession.forwardOut(this.config.host, this.config.port) };
  }

  private settleInitial(outcome: AttemptOutcome | null, generation: number): SessionState {
    if (outcome === null || generation !== this.generation) {
      if (outcome?.ok) void endClient(outcome.client);
      return this.current;
    }
    if (outcome.ok) {
      this.adopt(outcome.client, outcome.hostKey);
      return this.current;
    }
    return this.failWith(outcome);
  }

  private failWith(outcome: Extract<AttemptOutcome, { ok: false }>): SessionState {
    const reason = { code: outcome.error.code, message: outcome.error.message };
    if (outcome.error.code === 'HOST_KEY_UNKNOWN' && outcome.hostKey) {
      this.pendingTrust = outcome.presented ?? 'jump';
      this.setState({ state: 'awaiting-trust', reason, hostKey: outcome.hostKey, fingerprint: outcome.hostKey.fingerprint });
    } else {
      this.setState({ state: 'failed', reason, hostKey: outcome.hostKey, ...(outcome.hostKey ? { fingerprint: outcome.hostKey.fingerprint } : {}) });
    }
    return this.current;
  }

  private adopt(client: Client, hostKey: Buffer): void {
    this.client = client;
    this.verifiedKey = hostKey;
    let lastError: unknown = null;
    client.on('error', (err) => (lastError = err));
    client.once('close', () => {
      if (this.client !== client) return; // closed by us, or replaced
      this.client = null;
      const cause = lastError ? classifyClientError(lastError, this.where, 'the credentials') : null;
      const message = `The connection to ${this.where} was lost${cause ? `: ${cause.message}` : '.'}`;
      this.failInflight(new SshError('CONNECTION_LOST', message));
      this.reconnectAfterDrop({ code: 'CONNECTION_LOST', message });
    });
    this.setState({ state: 'ready', reason: null, hostKey: null });
  }

  private reconnectAfterDrop(reason: { code: string; message: string }): void {
    const generation = this.generation;
    this.setState({ state: 'reconnecting', reason, hostKey: null });
    const run = this.reconnectLoop(generation);
    this.connecting = run;
    void run.finally(() => {
      if (this.connecting === run) this.connecting = null;
    });
  }

  private async reconnectLoop(generation: number): Promise<SessionState> {
    const started = Date.now();
    let last: Extract<AttemptOutcome, { ok: false }> | null = null;
    for (let attempt = 1; attempt <= this.policy.maxAttempts; attempt++) {
      const delay = backoffDelay(attempt, this.policy);
      if (Date.now() + delay - started > this.policy.maxTotalMs) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      if (generation !== this.generation) return this.current;
      const outcome = await this.attempt(generation);
      if (outcome === null || generation !== this.generation) return this.settleInitial(outcome, generation);
      if (outcome.ok) return this.settleInitial(outcome, generation);
      last = outcome;
      // Auth and host-key problems need the user: retrying would only earn a PerSourcePenalties ban.
      if (!isRetryable(outcome.error.code)) return this.failWith(outcome);
      this.setState({ state: 'reconnecting', reason: { code: outcome.error.code, message: outcome.error.message }, hostKey: null });
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    const detail = last ? last.error.message : 'no attempt was made';
    return this.failWith({
      ok: false,
      error: new SshError(last?.error.code ?? 'CONNECTION_LOST', `Gave up reconnecting to ${this.where} after ${seconds} s: ${detail}`),
      hostKey: null,
      presented: null,
    });
  }

  private failInflight(error: SshError): void {
    for (const run of this.inflight) run.abort(error);
    this.inflight.clear();
  }

  private notConnected(): SshError {
    const why = this.current.reason ? ` (${this.current.reason.message})` : '';
    return new SshError('NOT_CONNECTED', `Not connected to ${this.where}: the session is ${this.current.state}${why}.`);
  }

  private setState(next: SessionState): void {
    this.current = next;
    this.events.emit('state', next);
  }
}

export function createHostSession(config: HostSessionConfig): HostSession {
  return new HostSession(config);
}

export type { ConnectionStateName, HostSessionConfig, JumpConfig, SessionState } from './host-session-config';
export type { HostKeyInfo } from './connect-attempt';
export type { ExecOptions, ExecResult } from './exec';
export type { AuthConfig } from './auth';
