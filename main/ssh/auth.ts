import ssh2, { type AnyAuthMethod, type ConnectConfig, type ParsedKey } from 'ssh2';
import { formatLimit, readRegularFile } from '../files/bounded-read';
import { SshError } from './ssh-error';

// Turning the host's auth setting into ssh2 options. The key file is read and parsed here, before
// connecting, so that a missing file, a missing passphrase and a wrong passphrase are told apart
// (ssh2 would only throw "Cannot parse privateKey" from inside connect()). authHandler names the
// one method we have, which also skips ssh2's initial `none` probe (one round trip).

export type AuthConfig =
  | { readonly kind: 'agent'; /** Defaults to $SSH_AUTH_SOCK. */ readonly socket?: string }
  | { readonly kind: 'key'; readonly path: string; readonly passphrase?: string }
  | { readonly kind: 'password'; readonly password: string };

export interface ResolvedAuth {
  readonly options: Pick<ConnectConfig, 'agent' | 'privateKey' | 'passphrase' | 'authHandler'>;
  /** What was offered, for error messages ("the key ~/.ssh/id_ed25519"); never a secret. */
  readonly describe: string;
}

export async function resolveAuth(auth: AuthConfig, username: string): Promise<ResolvedAuth> {
  switch (auth.kind) {
    case 'agent': {
      const socket = auth.socket ?? process.env.SSH_AUTH_SOCK;
      if (socket === undefined || socket === '') {
        throw new SshError('AGENT_UNAVAILABLE', 'No SSH agent is available: SSH_AUTH_SOCK is not set. Start ssh-agent and add your key (ssh-add), or choose a key file for this host.');
      }
      return { options: { agent: socket, authHandler: ['agent'] }, describe: 'the keys offered by the SSH agent' };
    }
    case 'key':
      return { options: { privateKey: await readPrivateKey(auth.path, auth.passphrase), passphrase: auth.passphrase, authHandler: ['publickey'] }, describe: `the key ${auth.path}` };
    case 'password':
      return { options: { authHandler: passwordHandler(username, auth.password) }, describe: 'the password' };
  }
}

/** An OpenSSH private key is a few KiB (RSA 16384 bits: about 13 KiB); anything far bigger is not one. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

async function readPrivateKey(path: string, passphrase: string | undefined): Promise<Buffer> {
  const read = await readRegularFile(path, MAX_KEY_FILE_BYTES);
  if (!read.ok) {
    switch (read.reason) {
      case 'missing':
        throw new SshError('KEY_FILE_MISSING', `The key file ${path} does not exist. Fix the key path in the host's settings (or its IdentityFile in ~/.ssh/config).`);
      case 'not-regular':
        throw new SshError('KEY_FILE_NOT_REGULAR', `The key path ${path} is not a regular file (a directory, device or pipe). Point the host at the private key file.`);
      case 'too-large':
        throw new SshError('KEY_FILE_TOO_LARGE', `The key file ${path} is larger than ${formatLimit(MAX_KEY_FILE_BYTES)}, so it is not a private key. Point the host at the private key file.`);
      case 'unreadable':
        throw new SshError('KEY_FILE_UNREADABLE', `The key file ${path} cannot be read (${read.code ?? 'error'}). Check its permissions.`);
    }
  }
  const data = read.data;
  // ssh2 is CommonJS; Node's ESM loader only sees some of its named exports, `utils` not among them.
  const parsed = ssh2.utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    // ssh2's parser messages (keyParser.js): "... but no passphrase given", "integrity check failed -- bad passphrase?", "Bad passphrase?".
    if (/no passphrase given/i.test(parsed.message)) {
      throw new SshError('PASSPHRASE_REQUIRED', `The key file ${path} is encrypted. Enter its passphrase, or use ssh-agent.`);
    }
    if (/passphrase/i.test(parsed.message)) {
      throw new SshError('BAD_PASSPHRASE', `The passphrase for the key file ${path} is wrong.`);
    }
    throw new SshError('KEY_INVALID', `The key file ${path} is not a private key this client can use (${parsed.message}). Supported: OpenSSH, PEM and PuTTY v2 keys of type ed25519, ECDSA, RSA.`);
  }
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
  if (!key?.isPrivateKey()) {
    throw new SshError('KEY_INVALID', `The key file ${path} holds a public key; point the host at the private key (the file without .pub).`);
  }
  return data;
}

/**
 * Password, then keyboard-interactive answering a single password prompt (servers with
 * PasswordAuthentication no but PAM via keyboard-interactive). Prompts that do not ask for a
 * password (one-time codes) are not answered with it.
 */
function passwordHandler(username: string, password: string): AnyAuthMethod[] {
  return [
    { type: 'password', username, password },
    {
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => {
        const only = prompts.length === 1 ? prompts[0] : undefined;
        finish(only && /password/i.test(only.prompt) ? [password] : []);
      },
    },
  ];
}
