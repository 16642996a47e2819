// `npm run lab -- <verb>`: the lab from a shell. See README.md in this folder.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { labCut, labDown, labExec, labReboot, labReset, labRestore, labStatus, labUp, LabError, LAB_FLAVORS, type LabFlavor, type LabStatus } from './lab';

const USAGE = `usage: npm run lab -- <verb> [--name LAB]
  up [--hosts N] [--flavor linux|truenas|networkmanager[,..]] [--switch lacp|static|none] [--truenas-version V]
  down
  status [--json]
  cut HOST PORT        pull the cable of a port (eno1..eno4)
  restore HOST PORT    plug it back
  reboot HOST          power-cycle a host (its /etc survives)
  reset HOST           wipe a host's state and boot it fresh
  ssh HOST [--user root|admin] [command...]
  exec HOST [--user root|admin] command...   (over the control path; works with ens3 broken)`;

function parse(argv: string[]): { verb: string; pos: string[]; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  const pos: string[] = [];
  const valued = new Set(['--name', '--hosts', '--flavor', '--switch', '--truenas-version', '--user']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (pos.length >= 2 && (pos[0] === 'ssh' || pos[0] === 'exec') && !a.startsWith('--')) {
      pos.push(...argv.slice(i));
      break;
    }
    if (valued.has(a)) flags.set(a, argv[++i] ?? '');
    else if (a.startsWith('--')) flags.set(a, 'true');
    else pos.push(a);
  }
  return { verb: pos[0] ?? '', pos: pos.slice(1), flags };
}

function printStatus(s: LabStatus): void {
  console.log(`lab ${s.name}: ${s.hosts.length} host(s), switch ${s.switchMode}, state in ${s.stateDir}`);
  for (const h of s.hosts) {
    const version = h.flavor === 'truenas' ? ` (TrueNAS double ${h.truenasVersion || 'default version'})` : '';
    console.log(`  ${h.name}  ${h.flavor}${version}  ${h.running === false ? 'STOPPED' : 'running'}`);
    console.log(`    ssh:   ssh -i ${h.keyPath} -o UserKnownHostsFile=${s.stateDir}/known_hosts -p ${h.ssh.port} root@${h.ssh.host}   (users: ${h.users.join(', ')})`);
    console.log(`    mgmt:  ${h.mgmt.nic} ${h.mgmt.address} via ${h.mgmt.gateway}; ports ${h.ports.join(' ')}; switch ${h.switch.mac} ${h.switch.address}`);
    if (h.bootSeconds !== undefined) console.log(`    boot:  ready in ${h.bootSeconds.toFixed(1)} s`);
  }
}

function needHost(pos: string[]): string {
  const host = pos[0];
  if (!host) throw new LabError('LAB_USAGE', `which host? ${USAGE}`);
  return host;
}

async function main(argv: string[]): Promise<number> {
  const { verb, pos, flags } = parse(argv);
  const name = flags.get('--name');
  switch (verb) {
    case 'up': {
      const started = Date.now();
      const flavorText = flags.get('--flavor') ?? 'linux';
      const flavors = flavorText.split(',').map((f): LabFlavor => {
        const known = LAB_FLAVORS.find((k) => k === f);
        if (known === undefined) throw new LabError('LAB_USAGE', `unknown flavor "${f}": use ${LAB_FLAVORS.join(', ')}`);
        return known;
      });
      const sw = flags.get('--switch') ?? 'lacp';
      if (sw !== 'lacp' && sw !== 'static' && sw !== 'none') throw new LabError('LAB_USAGE', `unknown switch mode "${sw}": use lacp, static or none`);
      const status = await labUp({ name, hosts: Number(flags.get('--hosts') ?? '1'), flavors, switchMode: sw, truenasVersion: flags.get('--truenas-version') });
      printStatus(status);
      console.log(`all hosts ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'down':
      await labDown(name);
      console.log('lab is down');
      return 0;
    case 'status': {
      const status = await labStatus(name);
      if (flags.has('--json')) console.log(JSON.stringify(status, null, 2));
      else if (status === null) console.log('the lab is not up');
      else printStatus(status);
      return status === null ? 3 : 0;
    }
    case 'cut':
    case 'restore': {
      const [host, port] = pos;
      if (!host || !port) throw new LabError('LAB_USAGE', USAGE);
      await (verb === 'cut' ? labCut(host, port, name) : labRestore(host, port, name));
      console.log(`${host} ${port}: cable ${verb === 'cut' ? 'pulled' : 'plugged back'}`);
      return 0;
    }
    case 'reboot':
    case 'reset': {
      const h = await (verb === 'reboot' ? labReboot(needHost(pos), name) : labReset(needHost(pos), name));
      console.log(`${h.name} is back (ssh port ${h.ssh.port}) after ${h.bootSeconds?.toFixed(1) ?? '?'} s`);
      return 0;
    }
    case 'ssh': {
      const status = await labStatus(name);
      const host = status?.hosts.find((h) => h.name === needHost(pos));
      if (!status || !host) throw new LabError('LAB_NO_HOST', `no host ${pos[0]} in a running lab`);
      const user = flags.get('--user') ?? 'root';
      const knownHosts = join(status.stateDir, 'known_hosts');
      const r = spawnSync('ssh', ['-i', host.keyPath, '-p', String(host.ssh.port), '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, ...(pos.length > 1 ? [] : ['-t']), `${user}@${host.ssh.host}`, ...pos.slice(1)], { stdio: 'inherit' });
      return r.status ?? 1;
    }
    case 'exec': {
      const user = flags.get('--user') === 'admin' ? 'admin' : 'root';
      const r = await labExec(needHost(pos), pos.slice(1).join(' '), { user }, name);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      return r.code;
    }
    default:
      console.error(USAGE);
      return verb === '' || verb === 'help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err instanceof LabError ? err : new LabError('LAB_INTERNAL', err instanceof Error ? err.message : String(err));
    console.error(`lab: ${e.message} [${e.code}]`);
    process.exit(1);
  },
);
