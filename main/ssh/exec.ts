import type { Client, ClientChannel } from 'ssh2';
import { SshError } from './ssh-error';

// One command on one session channel. Both output streams are always consumed (ssh2 emits 'close'
// only after they are drained), stdin is always ended (a program reading stdin, or sudo, would
// otherwise hang), and completion is 'close' (the last 'data' may come after 'exit').

export interface ExecOptions {
  /** Written to the command's stdin, then EOF. Without it stdin is closed at once. */
  readonly stdin?: string | Buffer;
  /** Kill the channel after this long. Default 60 s. */
  readonly timeoutMs?: number;
  /** Fail once stdout + stderr exceed this many bytes. Default 16 MiB. */
  readonly maxOutputBytes?: number;
}

export interface ExecResult {
  /** Exit status; null when the command died from a signal or the server sent none. */
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningExec {
  readonly result: Promise<ExecResult>;
  /** Resolves once the channel is gone on our side (the slot can be reused). */
  readonly finished: Promise<void>;
  /** Fail the command now (connection lost, session closed) and close its channel. */
  abort(error: SshError): void;
}

export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** After we gave up on a channel, how long to wait for its close before reusing the slot anyway. */
const CLOSE_GRACE_MS = 5_000;

export function startExec(client: Client, command: string, opts: ExecOptions, where: string): RunningExec {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const maxOutput = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  let channel: ClientChannel | null = null;
  let settled = false;
  let resolveResult!: (r: ExecResult) => void;
  let rejectResult!: (e: SshError) => void;
  const result = new Promise<ExecResult>((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });
  let markFinished!: () => void;
  const finished = new Promise<void>((res) => (markFinished = res));
  let graceTimer: NodeJS.Timeout | undefined;
  const finish = (): void => {
    clearTimeout(graceTimer);
    markFinished();
  };

  const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
  const timer = setTimeout(() => fail(new SshError('COMMAND_TIMEOUT', `The command on ${where} did not finish within ${limit} and was stopped.`)), timeoutMs);

  function fail(error: SshError): void {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    rejectResult(error);
    if (channel) {
      closeChannel(channel);
      graceTimer = setTimeout(finish, CLOSE_GRACE_MS);
      graceTimer.unref();
    }
  }

  try {
    client.exec(command, (err, stream) => {
      if (err) {
        finish();
        fail(channelOpenError(err, where));
        return;
      }
      channel = stream;
      if (settled) {
        // Timed out or aborted while the channel was opening.
        closeChannel(stream);
        stream.once('close', finish);
        stream.resume();
        stream.stderr.resume();
        return;
      }
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let bytes = 0;
      const collect = (into: Buffer[]) => (chunk: Buffer): void => {
        if (settled) return;
        bytes += chunk.length;
        if (bytes > maxOutput) {
          fail(new SshError('OUTPUT_TOO_LARGE', `The command on ${where} printed more than ${maxOutput} bytes and was stopped.`));
          return;
        }
        into.push(chunk);
      };
      stream.on('data', collect(out));
      stream.stderr.on('data', collect(errOut));
      stream.on('error', () => undefined); // reported through 'close' / the connection's own error
      stream.stderr.on('error', () => undefined);
      stream.on('close', (code?: number | null, signal?: string | null) => {
        finish();
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolveResult({
          code: typeof code === 'number' ? code : null,
          signal: typeof signal === 'string' ? signal : null,
          // Decode once: per-chunk decoding would split multi-byte UTF-8 characters.
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(errOut).toString('utf8'),
        });
      });
      if (opts.stdin !== undefined) stream.end(opts.stdin);
      else stream.end();
    });
  } catch {
    // ssh2 throws "Not connected" synchronously when the socket is no longer writable.
    finish();
    fail(new SshError('NOT_CONNECTED', `Not connected to ${where}; the command was not started.`));
  }

  return { result, finished, abort: fail };
}

function closeChannel(stream: ClientChannel): void {
  try {
    // sshd >= 7.9 signals the session's process group; it cannot reach children under sudo,
    // hence the close as well.
    stream.signal('KILL');
  } catch {
    // the channel may already be closing
  }
  try {
    stream.close();
  } catch {
    // already closed
  }
}

function channelOpenError(err: Error, where: string): SshError {
  if (/no response from server|not connected/i.test(err.message)) {
    return new SshError('CONNECTION_LOST', `The connection to ${where} was lost before the command started.`);
  }
  return new SshError('CHANNEL_OPEN_FAILED', `${where} refused to open a channel for the command (${err.message}). The server may limit sessions per connection (MaxSessions).`);
}
