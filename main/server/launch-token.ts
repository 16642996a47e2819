import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

// Where browser mode's per-launch token comes from. Never the command line: any local user can read
// a process's arguments (/proc/<pid>/cmdline, ps). A file only its owner can read (like ssh(1) with
// a private key), standard input, BONDSMITH_TOKEN (/proc/<pid>/environ is readable by the owner
// only), or a random one.

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const MAX_TOKEN_FILE_BYTES = 4096;

export type TokenOutcome = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly message: string };

export interface TokenSources {
  readonly tokenFile: string | undefined;
  readonly tokenStdin: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly readStdin: () => Promise<string>;
}

const ALTERNATIVES = 'Give it with --token-file PATH (a file only you can read: chmod 600), --token-stdin (read from standard input) or BONDSMITH_TOKEN; without any, a random token is made.';

/** `--token` or `--token=...` anywhere in argv: refused, since the value is visible to every local user. */
export function tokenOnCommandLine(argv: readonly string[]): string | null {
  if (!argv.some((a) => a === '--token' || a.startsWith('--token='))) return null;
  return `--token is not accepted: any user on this machine can read a program's command line (ps, /proc/<pid>/cmdline). ${ALTERNATIVES}`;
}

export async function resolveLaunchToken(sources: TokenSources): Promise<TokenOutcome> {
  if (sources.tokenFile !== undefined && sources.tokenStdin) return { ok: false, message: 'Use either --token-file or --token-stdin, not both.' };
  let token: string;
  let from: string;
  if (sources.tokenFile !== undefined) {
    const read = await readTokenFile(sources.tokenFile);
    if (!read.ok) return read;
    token = read.token;
    from = `the token in ${sources.tokenFile}`;
  } else if (sources.tokenStdin) {
    token = (await sources.readStdin()).trim();
    from = 'the token read from standard input';
  } else if (sources.env.BONDSMITH_TOKEN !== undefined && sources.env.BONDSMITH_TOKEN !== '') {
    token = sources.env.BONDSMITH_TOKEN;
    from = 'BONDSMITH_TOKEN';
  } else {
    return { ok: true, token: randomBytes(24).toString('base64url') };
  }
  if (!TOKEN_PATTERN.test(token)) return { ok: false, message: `${from} must be 16 to 128 characters of A-Z a-z 0-9 _ -.` };
  return { ok: true, token };
}

async function readTokenFile(path: string): Promise<TokenOutcome> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { ok: false, message: `cannot read the token file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}).` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, message: `the token file ${path} is not a regular file.` };
    // POSIX permissions: Windows has none to check here (its ACLs keep a profile's files private).
    if (process.platform !== 'win32') {
      if ((info.mode & 0o077) !== 0) {
        return { ok: false, message: `${path} can be read or written by other users (mode 0${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}` };
      }
      const uid = process.getuid?.();
      if (uid !== undefined && info.uid !== uid) return { ok: false, message: `the token file ${path} belongs to another user; use a file of your own (chmod 600).` };
    }
    if (info.size > MAX_TOKEN_FILE_BYTES) return { ok: false, message: `the token file ${path} is larger than 4 KiB; it should hold the token only.` };
    const text = await handle.readFile('utf8');
    return { ok: true, token: text.trim() };
  } finally {
    await handle.close();
  }
}

/** Standard input up to its end, at most 4 KiB (a token, not a stream). */
export function readStandardInput(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_TOKEN_FILE_BYTES) {
        stream.removeAllListeners('data');
        resolve(text);
      }
    });
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
  });
}
