import { readdirSync, readFileSync } from 'node:fs';

// Drops every SSH connection that goes through one lab host's loopback forwarder, as a network that
// fails would: the forwarder (socat ... TCP-LISTEN:<port>,fork) forks one child per connection; the
// children (and what they started) are killed, the listener stays, so the app can connect again.

function parentOf(pid: number): number | null {
  try {
    // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null;
  }
}

function processes(): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.push({ pid: Number(entry), argv: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0') });
    } catch {
      // ended while we looked
    }
  }
  return out;
}

/** Kills the connections of the forwarder on 127.0.0.1:`port`; returns how many were cut. */
export function dropConnections(port: number): number {
  const all = processes();
  const listenArg = `TCP-LISTEN:${port},`;
  const forwarder = all.filter((p) => p.argv[0]?.endsWith('socat') && p.argv.some((a) => a.startsWith(listenArg)));
  const forwarderPids = new Set(forwarder.map((p) => p.pid));
  const listener = forwarder.filter((p) => !forwarderPids.has(parentOf(p.pid) ?? -1)).map((p) => p.pid);
  const children = forwarder.filter((p) => !listener.includes(p.pid)).map((p) => p.pid);
  const childSet = new Set(children);
  const grandchildren = all.filter((p) => childSet.has(parentOf(p.pid) ?? -1)).map((p) => p.pid);
  for (const pid of [...children, ...grandchildren]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return children.length;
}
