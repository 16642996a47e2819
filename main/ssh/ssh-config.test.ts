import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeSshConfigFs, hostLineMatches, importSshConfig, parseProxyJump, splitArgs, type ImportedHost, type SshConfigFs } from './ssh-config';

const HOME = '/home/ada';

/** In-memory files; directories are implied by the paths. */
function memFs(files: Record<string, string>): SshConfigFs & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile: (p) => {
      reads.push(p);
      return Promise.resolve(files[p] ?? null);
    },
    listDir: (dir) => {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const names = Object.keys(files).filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length).split('/')[0] ?? '');
      return Promise.resolve(names.length === 0 ? null : [...new Set(names)]);
    },
  };
}

async function importText(config: string, extra: Record<string, string> = {}) {
  return importSshConfig(memFs({ [`${HOME}/.ssh/config`]: config, ...extra }), { homeDir: HOME, localUser: 'ada' });
}
const host = (hosts: ImportedHost[], alias: string): ImportedHost | undefined => hosts.find((h) => h.alias === alias);

describe('importSshConfig', () => {
  it('reads a Host block with aliases and the basic keywords', async () => {
    const { hosts, warnings } = await importText(`
# lab boxes
Host nas1 nas1.lab
  HostName 192.0.2.11
  User root
  Port 2222
  IdentityFile ~/.ssh/id_nas
`);
    expect(warnings).toEqual([]);
    const expected = { hostName: '192.0.2.11', user: 'root', port: 2222, identityFiles: [`${HOME}/.ssh/id_nas`], proxyJump: null };
    expect(hosts).toEqual([{ alias: 'nas1', ...expected }, { alias: 'nas1.lab', ...expected }]);
  });

  it('defaults HostName to the alias, port to 22 and user to null', async () => {
    const { hosts } = await importText('Host plain\n');
    expect(hosts).toEqual([{ alias: 'plain', hostName: 'plain', user: null, port: 22, identityFiles: [], proxyJump: null }]);
  });

  it('uses the first value found, across blocks, but accumulates IdentityFile', async () => {
    const { hosts } = await importText(`
Host nas2
  User admin
  IdentityFile ~/.ssh/a
  IdentityFile ~/.ssh/b
Host nas*
  User root
  Port 2200
  IdentityFile ~/.ssh/c
Host *
  User nobody
  Port 22
`);
    expect(host(hosts, 'nas2')).toMatchObject({ user: 'admin', port: 2200, identityFiles: [`${HOME}/.ssh/a`, `${HOME}/.ssh/b`, `${HOME}/.ssh/c`] });
  });

  it('applies lines before the first Host to every host', async () => {
    const { hosts } = await importText('User everyone\nHost x\n  User later\n');
    expect(host(hosts, 'x')?.user).toBe('everyone');
  });

  it('accepts key=value, key = value, mixed-case keywords, quotes and trailing comments', async () => {
    const { hosts } = await importText(`
HOST quoted
  hostname=10.0.0.5
  USER = "svc user"
  IdentityFile "~/.ssh/my key" # the laptop key
  pOrT 2022
`);
    expect(host(hosts, 'quoted')).toMatchObject({ hostName: '10.0.0.5', user: 'svc user', port: 2022, identityFiles: [`${HOME}/.ssh/my key`] });
  });

  it('does not list wildcard or negated patterns as hosts, and honours negation', async () => {
    const { hosts } = await importText(`
Host * !bastion
  ProxyJump bastion
Host web? 10.0.* !secret
Host bastion db
  User ops
`);
    expect(hosts.map((h) => h.alias)).toEqual(['bastion', 'db']);
    expect(host(hosts, 'bastion')?.proxyJump).toBeNull();
    expect(host(hosts, 'db')?.proxyJump).toBe('bastion');
  });

  it('matches ? as exactly one character and patterns case-insensitively', () => {
    expect(hostLineMatches(['nas?'], 'nas1')).toBe(true);
    expect(hostLineMatches(['nas?'], 'nas')).toBe(false);
    expect(hostLineMatches(['nas?'], 'nas12')).toBe(false);
    expect(hostLineMatches(['NAS*'], 'nas-a')).toBe(true);
    expect(hostLineMatches(['*', '!nas1'], 'nas1')).toBe(false);
    expect(hostLineMatches(['!nas1'], 'other')).toBe(false);
  });

  it('reads ProxyJump forms and lets "none" win when it comes first', async () => {
    const { hosts } = await importText(`
Host direct
  ProxyJump none
Host hop2
  ProxyJump ops@jump1:2222,jump2
Host *
  ProxyJump fallback
`);
    expect(host(hosts, 'direct')?.proxyJump).toBeNull();
    expect(host(hosts, 'hop2')?.proxyJump).toBe('ops@jump1:2222,jump2');
    expect(parseProxyJump('ops@jump1:2222,jump2')).toEqual([
      { user: 'ops', host: 'jump1', port: 2222 },
      { user: null, host: 'jump2', port: null },
    ]);
    expect(parseProxyJump('ssh://me@[2001:db8::1]:22')).toEqual([{ user: 'me', host: '2001:db8::1', port: 22 }]);
    expect(parseProxyJump('bad host')).toBeNull();
    expect(parseProxyJump('h:70000')).toBeNull();
  });

  it('treats a ProxyCommand found first as blocking ProxyJump, with a warning', async () => {
    const { hosts, warnings } = await importText('Host pc\n  ProxyCommand ssh -W %h:%p gw\n  ProxyJump other\n');
    expect(host(hosts, 'pc')?.proxyJump).toBeNull();
    expect(warnings.join()).toMatch(/ProxyCommand is not supported/);
  });

  it('drops IdentityFile none and expands tokens', async () => {
    const { hosts } = await importText('Host t\n  HostName %h.lab\n  User root\n  IdentityFile none\n  IdentityFile ~/.ssh/%r@%h-%p\n  IdentityFile %d/keys/%u\n');
    expect(host(hosts, 't')).toMatchObject({ hostName: 't.lab', identityFiles: [`${HOME}/.ssh/root@t.lab-22`, `${HOME}/keys/ada`] });
  });

  it('skips Match blocks without evaluating them, until the next Host', async () => {
    const { hosts, warnings } = await importText(`
Match exec "touch /tmp/pwned"
  User evil
Host safe
  HostName 192.0.2.30
`);
    expect(host(hosts, 'safe')).toMatchObject({ user: null, hostName: '192.0.2.30' });
    expect(warnings.join()).toMatch(/Match blocks are not evaluated/);
  });

  it('follows Include globs in lexical order, relative to ~/.ssh, and nested', async () => {
    const { hosts } = await importText('Include conf.d/*.conf\nHost main\n', {
      [`${HOME}/.ssh/conf.d/20-b.conf`]: 'Include nested/x?\nHost b\n  User from-b\n',
      [`${HOME}/.ssh/conf.d/10-a.conf`]: 'Host a\n  User from-a\nHost b\n  User from-a-for-b\n',
      [`${HOME}/.ssh/conf.d/.hidden.conf`]: 'Host hidden\n',
      [`${HOME}/.ssh/conf.d/notes.txt`]: 'Host notes\n',
      [`${HOME}/.ssh/nested/x1`]: 'Host deep\n  Port 2201\n',
      [`${HOME}/.ssh/nested/x12`]: 'Host toolong\n',
    });
    expect(hosts.map((h) => h.alias)).toEqual(['a', 'b', 'deep', 'main']);
    expect(host(hosts, 'b')?.user).toBe('from-a-for-b');
    expect(host(hosts, 'deep')?.port).toBe(2201);
  });

  it('accepts absolute and ~ Include paths and ignores missing ones', async () => {
    const { hosts, warnings } = await importText('Include /etc/bondsmith/hosts ~/.ssh/more missing.conf\n', {
      '/etc/bondsmith/hosts': 'Host abs\n',
      [`${HOME}/.ssh/more`]: 'Host tilde\n',
    });
    expect(hosts.map((h) => h.alias)).toEqual(['abs', 'tilde']);
    expect(warnings).toEqual([]);
  });

  it('makes an Include inside a Host block conditional on that block', async () => {
    const { hosts } = await importText('Host nas*\n  Include nas-common\nHost nas1 other\n', {
      [`${HOME}/.ssh/nas-common`]: 'User storage\nPort 2022\n',
    });
    expect(host(hosts, 'nas1')).toMatchObject({ user: 'storage', port: 2022 });
    expect(host(hosts, 'other')).toMatchObject({ user: null, port: 22 });
  });

  it('restores the including block after an Include that opens its own Host blocks', async () => {
    const { hosts } = await importText('Host a\n  Include part\n  Port 2300\nHost b\n', {
      [`${HOME}/.ssh/part`]: 'Host zzz\n  User z\n',
    });
    // "Port 2300" still belongs to Host a; the included Host zzz only lasted until its file ended.
    expect(host(hosts, 'a')?.port).toBe(2300);
    expect(host(hosts, 'b')?.port).toBe(22);
    // zzz is only reachable while Host a is active: ssh would never apply it to "zzz" itself.
    expect(host(hosts, 'zzz')).toBeUndefined();
  });

  it('stops include loops and deep nesting with a warning', async () => {
    const { hosts, warnings } = await importText('Include loop\nHost top\n', { [`${HOME}/.ssh/loop`]: 'Include loop\nInclude config\nHost inloop\n' });
    expect(hosts.map((h) => h.alias).sort()).toEqual(['inloop', 'top']);
    expect(warnings.join()).toMatch(/includes itself/);
    const chain: Record<string, string> = {};
    for (let i = 0; i < 20; i++) chain[`${HOME}/.ssh/c${i}`] = `Include c${i + 1}\nHost h${i}\n`;
    const deep = await importText('Include c0\n', chain);
    expect(deep.hosts.length).toBe(16);
    expect(deep.warnings.join()).toMatch(/deeper than 16/);
  });

  it('warns about bad lines and keeps going', async () => {
    const { hosts, warnings } = await importText('Host ok\n  Port http\n  User\n  HostName "unterminated\n%%% nonsense\n');
    expect(host(hosts, 'ok')).toMatchObject({ port: 22, user: null, hostName: 'ok' });
    expect(warnings).toHaveLength(4);
  });

  it('reports a missing config file', async () => {
    const r = await importSshConfig(memFs({}), { homeDir: HOME });
    expect(r).toEqual({ hosts: [], warnings: [`${HOME}/.ssh/config not found or not readable`] });
  });
});

describe('splitArgs', () => {
  it('splits like OpenSSH', () => {
    expect(splitArgs(`a "b c" 'd e' f\\ g # comment`)).toEqual({ args: ['a', 'b c', 'd e', 'f g'], error: null });
    expect(splitArgs('"open').error).toBe('unterminated quote');
  });
});

describe('createNodeSshConfigFs', () => {
  it('reads only regular files of at most 1 MiB, and says why it skipped one', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bondsmith-sshcfg-'));
    try {
      mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
      writeFileSync(join(home, '.ssh', 'big'), `Host big\n${'#'.repeat(1024 * 1024)}\n`);
      writeFileSync(join(home, '.ssh', 'config'), 'Include conf.d\nInclude big\nHost real\n');
      const r = await importSshConfig(createNodeSshConfigFs(), { homeDir: home });
      expect(r.hosts.map((h) => h.alias)).toEqual(['real']);
      expect(r.warnings).toEqual([`${join(home, '.ssh', 'conf.d')}: not a regular file, not read`, `${join(home, '.ssh', 'big')}: larger than 1 MiB, not read`]);
      const asConfig = await importSshConfig(createNodeSshConfigFs(), { homeDir: home, configPath: join(home, '.ssh', 'conf.d') });
      expect(asConfig).toEqual({ hosts: [], warnings: [`${join(home, '.ssh', 'conf.d')}: not a regular file, not read`] });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('does not read devices or wait on pipes', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bondsmith-sshcfg-'));
    try {
      mkdirSync(join(home, '.ssh'), { recursive: true });
      execFileSync('mkfifo', [join(home, '.ssh', 'pipe')]);
      writeFileSync(join(home, '.ssh', 'config'), 'Include /dev/zero\nInclude pipe\nHost real\n');
      const r = await importSshConfig(createNodeSshConfigFs(), { homeDir: home });
      expect(r.hosts.map((h) => h.alias)).toEqual(['real']);
      expect(r.warnings).toEqual(['/dev/zero: not a regular file, not read', `${join(home, '.ssh', 'pipe')}: not a regular file, not read`]);
      expect(await importSshConfig(createNodeSshConfigFs(), { homeDir: home, configPath: '/dev/zero' })).toEqual({ hosts: [], warnings: ['/dev/zero: not a regular file, not read'] });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('reads real files and globs real directories', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bondsmith-sshcfg-'));
    try {
      mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
      writeFileSync(join(home, '.ssh', 'config'), 'Include conf.d/*\nHost real\n  Port 2022\n');
      writeFileSync(join(home, '.ssh', 'conf.d', 'one'), 'Host included\n');
      const r = await importSshConfig(createNodeSshConfigFs(), { homeDir: home });
      expect(r.hosts.map((h) => [h.alias, h.port])).toEqual([['included', 22], ['real', 2022]]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
