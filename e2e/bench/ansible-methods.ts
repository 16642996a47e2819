import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DISCOVERY_COMMAND } from '../../main/discovery/discovery-script';
import { BenchError, runProcess, timed, unavailable, type MethodResult } from './bench-kit';
import { checkInventory, type BenchHost } from './openssh-methods';

// Ansible ad-hoc runs on the same hosts: the shell module with Bondsmith's discovery command (the
// same inventory text, so the remote work is identical), and the setup module, which is what every
// playbook runs first (gather_facts).

export interface AnsibleAvailability {
  readonly ok: boolean;
  /** What happened: "found 2.14.18", "installed with apt-get", or why it is not there. */
  readonly detail: string;
}

/** The installed ansible-core version, or null when `ansible` is missing or broken. Installs nothing. */
export async function ansibleVersion(): Promise<string | null> {
  const r = await runProcess('ansible', ['--version'], { timeoutMs: 60_000 }).catch(() => null);
  if (r === null || r.code !== 0) return null;
  return /core ([\d.]+)/.exec(r.stdout)?.[1] ?? r.stdout.split('\n')[0] ?? 'unknown';
}

/** Finds `ansible`, installing the Debian package once if it is missing (the machine is Debian). */
export async function ensureAnsible(): Promise<AnsibleAvailability> {
  const found = await ansibleVersion();
  if (found !== null) return { ok: true, detail: `found ansible-core ${found}` };
  if (!existsSync('/usr/bin/apt-get')) return { ok: false, detail: 'ansible is missing and there is no apt-get to install it' };
  console.log('ansible is missing: running apt-get install -y ansible (a few minutes on a first install)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = await runProcess('apt-get', ['install', '-y', '--no-install-recommends', 'ansible'], { env, timeoutMs: 600_000 }).catch((err: unknown) => ({ code: -1, stdout: '', stderr: String(err) }));
  if (r.code !== 0) {
    const last = r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`;
    return { ok: false, detail: `apt-get install ansible failed: ${last}` };
  }
  const installed = await ansibleVersion();
  return installed === null ? { ok: false, detail: 'apt-get installed ansible but `ansible --version` still fails' } : { ok: true, detail: `installed ansible (ansible-core ${installed}) with apt-get` };
}

export interface AnsibleRun {
  readonly dir: string;
  readonly inventory: string;
  readonly env: NodeJS.ProcessEnv;
}

/** With `knownHostsFile`, host keys are checked against it (as the other methods check them); without, not at all. */
export async function prepareAnsible(hosts: readonly BenchHost[], dir: string, opts: { knownHostsFile?: string } = {}): Promise<AnsibleRun> {
  await mkdir(join(dir, 'home'), { recursive: true });
  const inventory = join(dir, 'inventory.ini');
  const lines = hosts.map((h) => `${h.name} ansible_host=127.0.0.1 ansible_port=${h.port} ansible_user=root ansible_ssh_private_key_file=${h.keyPath}`);
  await writeFile(inventory, `[lab]\n${lines.join('\n')}\n`);
  // An empty config file: no ansible.cfg from the working directory or /etc may change the figures.
  const config = join(dir, 'ansible.cfg');
  await writeFile(config, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: join(dir, 'home'),
    ANSIBLE_LOCAL_TEMP: join(dir, 'home', 'tmp'),
    // Ansible's own ControlPersist sockets go here, so the benchmark can close them afterwards.
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'cp'),
    ANSIBLE_HOST_KEY_CHECKING: opts.knownHostsFile ? 'True' : 'False',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_STDOUT_CALLBACK: 'json',
    ANSIBLE_LOAD_CALLBACK_PLUGINS: '1',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    // Ansible's default ssh_args (-C, ControlMaster=auto, ControlPersist=60s) plus: no user ssh config,
    // no writes to ~/.ssh/known_hosts.
    ANSIBLE_SSH_ARGS: `-F /dev/null -C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${opts.knownHostsFile ?? '/dev/null'} -o LogLevel=ERROR`,
  };
  return { dir, inventory, env };
}

export interface AnsibleHostResult {
  readonly rc?: number;
  readonly stdout?: string;
  readonly msg?: string;
  readonly failed?: boolean;
  readonly unreachable?: boolean;
  readonly ansible_facts?: { readonly ansible_interfaces?: readonly string[] };
}

/** Runs one ad-hoc command against all hosts; returns each host's result from the json callback. */
export async function adHoc(run: AnsibleRun, hosts: readonly BenchHost[], moduleArgs: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Map<string, AnsibleHostResult>> {
  const args = ['all', '-i', run.inventory, '-f', String(hosts.length), ...moduleArgs];
  const r = await runProcess('ansible', args, { env: { ...run.env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 180_000 });
  let parsed: { plays?: { tasks?: { hosts?: Record<string, AnsibleHostResult> }[] }[] };
  try {
    parsed = JSON.parse(r.stdout) as typeof parsed;
  } catch {
    throw new BenchError('ANSIBLE', `ansible exited ${r.code} without json output: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  }
  const results = new Map(Object.entries(parsed.plays?.[0]?.tasks?.[0]?.hosts ?? {}));
  for (const h of hosts) {
    const hr = results.get(h.name);
    if (!hr || hr.failed || hr.unreachable) throw new BenchError('ANSIBLE_HOST', `ansible on ${h.name}: ${hr?.msg ?? 'no result'}`);
  }
  return results;
}

function shellRound(run: AnsibleRun, hosts: readonly BenchHost[], extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
  return adHoc(run, hosts, ['-m', 'ansible.builtin.shell', '-a', DISCOVERY_COMMAND], { env: extraEnv }).then((results) => {
    for (const h of hosts) checkInventory(h.name, results.get(h.name)?.stdout ?? '');
  });
}

/** Ends the ControlPersist masters Ansible left in its control path directory. */
export async function closeAnsibleMasters(run: AnsibleRun): Promise<void> {
  const cp = join(run.dir, 'cp');
  const sockets = existsSync(cp) ? readdirSync(cp) : [];
  await Promise.all(sockets.map((s) => runProcess('ssh', ['-F', '/dev/null', '-o', `ControlPath=${join(cp, s)}`, '-O', 'exit', 'placeholder'], { timeoutMs: 15_000 }).catch(() => undefined)));
}

/**
 * Rows: the shell module cold (first run, no ControlPersist master yet), warm (Ansible's default
 * ControlPersist reuses the connections of the previous run), warm with pipelining (the usual
 * speed setting: no module file copied over sftp), and the setup module once. Setup gathers the
 * network subset by default: the full set did not finish within 4 minutes for 3 lab hosts on a
 * loaded 2-core machine, so it is opt-in (fullSetup) with its own deadline.
 */
export async function benchAnsible(hosts: readonly BenchHost[], rounds: number, dir: string, fullSetup: boolean): Promise<MethodResult[]> {
  const note = 'ansible all -m shell -a <discovery command> -f N';
  const run = await prepareAnsible(hosts, dir);
  const rows: MethodResult[] = [];
  try {
    try {
      const cold = await timed(() => shellRound(run, hosts));
      rows.push({ method: 'Ansible shell, cold', note: `${note}; first run: new connections, python module copied and run on each host`, seconds: [cold.seconds] });
      const warm: number[] = [];
      for (let i = 0; i < rounds; i++) warm.push((await timed(() => shellRound(run, hosts))).seconds);
      rows.push({ method: 'Ansible shell, warm', note: `${note}; ControlPersist connections of the previous run reused (Ansible default)`, seconds: warm });
      const piped: number[] = [];
      for (let i = 0; i < rounds; i++) piped.push((await timed(() => shellRound(run, hosts, { ANSIBLE_PIPELINING: 'True' }))).seconds);
      rows.push({ method: 'Ansible shell, warm, pipelining', note: `${note}; as warm, with ANSIBLE_PIPELINING=True (module piped to python, no sftp)`, seconds: piped });
    } catch (err) {
      rows.push(unavailable('Ansible shell', note, err));
    }
    rows.push(await setupRow(run, hosts, fullSetup));
    return rows;
  } finally {
    await closeAnsibleMasters(run);
  }
}

async function setupRow(run: AnsibleRun, hosts: readonly BenchHost[], full: boolean): Promise<MethodResult> {
  const method = full ? 'Ansible setup (gather_facts, all)' : 'Ansible setup (gather_facts, network)';
  const args = full ? ['-m', 'ansible.builtin.setup'] : ['-m', 'ansible.builtin.setup', '-a', 'gather_subset=network'];
  const note = `ansible all ${args.join(' ')} -f N, once, ControlPersist warm: what a playbook runs before its first task`;
  try {
    const setup = await timed(() =>
      adHoc(run, hosts, args, { timeoutMs: full ? 600_000 : 180_000 }).then((results) => {
        for (const h of hosts) {
          if (!results.get(h.name)?.ansible_facts?.ansible_interfaces?.includes('eno1')) throw new BenchError('ANSIBLE_FACTS', `setup on ${h.name} returned no eno1`);
        }
      }),
    );
    return { method, note, seconds: [setup.seconds] };
  } catch (err) {
    return unavailable(method, note, err);
  }
}
