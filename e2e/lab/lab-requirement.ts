// Can the lab run on this machine? And the test-suite rule: on CI an unavailable lab fails the run,
// elsewhere lab tests skip and say why.
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'vitest';

const UML_MODULES = '/usr/lib/uml/modules';

const TOOLS: ReadonlyArray<readonly [string, string]> = [
  ['/usr/bin/linux.uml', 'user-mode-linux'],
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/ssh', 'openssh-client'],
  ['/usr/bin/ssh-keygen', 'openssh-client'],
  ['/usr/bin/socat', 'socat'],
  ['/usr/sbin/modprobe', 'kmod'],
  ['/usr/sbin/ifup', 'ifupdown'],
  ['/etc/network/if-pre-up.d/ifenslave', 'ifenslave'],
  ['/usr/sbin/dhclient', 'isc-dhcp-client'],
  ['/usr/bin/sudo', 'sudo'],
  ['/usr/bin/nsenter', 'util-linux'],
  ['/usr/sbin/mkfs.ext4', 'e2fsprogs'],
  // The lab compiles a small ptrace wrapper for UML (uml-xstate.c).
  ['/usr/bin/cc', 'gcc'],
  ['/usr/include/x86_64-linux-gnu/sys/ptrace.h', 'libc6-dev'],
];

/** The UML kernel's release, from its module directory (e.g. 6.1.176). */
export function umlRelease(): string | null {
  try {
    return readdirSync(UML_MODULES).sort().at(-1) ?? null;
  } catch {
    return null;
  }
}

/** null when the lab can run here, else the reason it cannot (a sentence a person can act on). */
export function labRequirement(): string | null {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the lab needs root (network namespaces and tap devices): run the tests as root';
  }
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/bin/ip')) return 'ip is missing: apt-get install iproute2';
  const missing = TOOLS.filter(([path]) => !existsSync(path)).map(([path, pkg]) => `${path} (${pkg})`);
  if (missing.length > 0) {
    const pkgs = [...new Set(TOOLS.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg))].join(' ');
    return `missing ${missing.join(', ')}: apt-get install ${pkgs}`;
  }
  if (umlRelease() === null) return `${UML_MODULES} has no kernel modules: reinstall user-mode-linux`;
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing: the kernel needs tun/tap support';
  return null;
}

/**
 * `describe` for suites that need the lab. Where the lab cannot run, the suite is skipped with the
 * reason printed; on CI (CI=true) it fails with that reason instead, so a broken machine is not green.
 */
export function describeLab(title: string, body: () => void): void {
  const reason = labRequirement();
  if (reason === null) {
    describe(title, body);
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      it('has a lab to run on', () => {
        throw new Error(`the lab cannot start on this CI machine: ${reason}`);
      });
    });
  } else {
    console.warn(`[lab] skipping "${title}": ${reason}`);
    describe.skip(`${title} (skipped: ${reason})`, body);
  }
}
