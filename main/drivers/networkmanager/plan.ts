import { fieldApplies, PROTOCOL_TO_MODE, type BondSpec } from '../../../preload/contract/bond-spec';
import type { HostFacts } from '../../../preload/contract/inventory';
import { ipFamily, networksOverlap } from '../../../preload/contract/ip';
import { kernelHashPolicy, kernelLacpRate } from '../../bond/kernel-words';
import { currentMembers, managementNic } from '../../plan/host-view';
import { computeImpact, computeVerify } from '../../plan/impact';
import type { FieldError, PlanStep } from '../../plan/plan-types';
import { shScript, step } from '../../plan/steps';
import { quoteForShell as q } from '../../shell/quote';
import type { DriverPlanInput, DriverPlanResult } from '../driver';
import { kernelVerifySteps } from '../kernel-steps';
import { waitOnBox } from '../wait-on-box';
import { checkpointArmedScript, createCheckpointScript, destroyCheckpointScript, nmRunDir, rollbackCheckpointScript } from './checkpoint';
import { bondProfiles, otherProfilesOf, portProfiles, type NmExtras, type NmProfile } from './profiles';
import { versionRefusal } from './version';

// NetworkManager: the bond is a bond profile plus one port profile per member, made and changed with
// nmcli. Safe apply is NetworkManager's own checkpoint, armed over D-Bus before anything changes, over
// every device, with a rollback timeout of the user's window and the flags that also delete new
// profiles and disconnect new devices: if nobody confirms (the app is gone, the change cut the SSH
// path), NM itself puts the old profiles and devices back. Confirm destroys the checkpoint; Revert
// rolls it back. NM writes profiles to disk as nmcli changes them; the checkpoint lives in NM's
// memory, so a reboot inside the window keeps the new configuration (said in the plan's warnings).

export const MIIMON_MS = 100;

/** A profile UUID of this run's own, derived from the run id (the planner stays pure and repeatable). */
export function runUuid(runId: string, what: string): string {
  // Four FNV-1a 32-bit hashes with different seeds: 128 bits, enough to keep a run's profiles apart
  // from each other and from every other UUID (a collision only makes `nmcli connection add` fail).
  const text = `bondsmith:${runId}:${what}`;
  const h = [0x811c9dc5, 0x01000193, 0x5bd1e995, 0x27d4eb2f]
    .map((seed) => {
      let x = seed >>> 0;
      for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 0x01000193) >>> 0;
      return x.toString(16).padStart(8, '0');
    })
    .join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function portProfileName(bondName: string, member: string): string {
  return `${bondName}-port-${member}`;
}

/** bond.options: every value said, the kernel's defaults (layer2, slow) differ from the editor's. */
export function bondOptions(spec: BondSpec): string {
  const opts = [`mode=${PROTOCOL_TO_MODE[spec.protocol]}`, `miimon=${MIIMON_MS}`];
  if (fieldApplies('xmitHashPolicy', spec.protocol)) opts.push(`xmit_hash_policy=${kernelHashPolicy(spec.xmitHashPolicy ?? 'LAYER2+3')}`);
  if (fieldApplies('lacpduRate', spec.protocol)) opts.push(`lacp_rate=${kernelLacpRate(spec.lacpduRate ?? 'SLOW')}`);
  // FAILOVER's first member is its primary.
  if (spec.protocol === 'FAILOVER' && spec.members[0] !== undefined) opts.push(`primary=${spec.members[0]}`);
  return opts.join(',');
}

interface Gateways {
  readonly inet: string | null;
  readonly inet6: string | null;
  readonly lost: { gateway: string; dev: string }[];
}

/** Default routes through touched interfaces, kept on the bond where one of its networks holds the gateway. */
function gateways(facts: HostFacts, spec: BondSpec, touched: readonly string[]): Gateways {
  const out: { inet: string | null; inet6: string | null; lost: { gateway: string; dev: string }[] } = { inet: null, inet6: null, lost: [] };
  for (const r of facts.defaultRoutes.filter((x) => touched.includes(x.dev))) {
    const onBond = spec.aliases.some((a) => (ipFamily(a.address) === 'inet6' ? 'inet6' : 'inet') === r.family && networksOverlap(a.address, a.prefix, r.gateway, r.family === 'inet' ? 32 : 128));
    if (onBond) out[r.family] = r.gateway;
    else if (!(spec.dhcp && r.family === 'inet')) out.lost.push({ gateway: r.gateway, dev: r.dev });
  }
  return out;
}

/** The bond profile's settings as nmcli property/value pairs (values quoted by the caller). */
export function bondSettings(spec: BondSpec, gw: Gateways, autoconnect: 'yes' | 'no'): [string, string][] {
  const v4 = spec.aliases.filter((a) => ipFamily(a.address) !== 'inet6').map((a) => `${a.address}/${a.prefix}`);
  const v6 = spec.aliases.filter((a) => ipFamily(a.address) === 'inet6').map((a) => `${a.address}/${a.prefix}`);
  return [
    ['bond.options', bondOptions(spec)],
    ['ipv4.method', spec.dhcp ? 'auto' : v4.length > 0 ? 'manual' : 'disabled'],
    ['ipv4.addresses', v4.join(', ')],
    ['ipv4.gateway', gw.inet ?? ''],
    // "ignore": the kernel keeps its link-local address only (every NM version has it).
    ['ipv6.method', v6.length > 0 ? 'manual' : 'ignore'],
    ['ipv6.addresses', v6.join(', ')],
    ['ipv6.gateway', gw.inet6 ?? ''],
    // 0: NetworkManager leaves the MTU as it is.
    ['802-3-ethernet.mtu', spec.mtu === null ? '0' : String(spec.mtu)],
    ['connection.autoconnect', autoconnect],
  ];
}

function settingArgs(pairs: readonly [string, string][]): string {
  return pairs.map(([k, v]) => `${k} ${q(v)}`).join(' ');
}

interface Operations {
  readonly commands: string[];
  readonly warnings: string[];
  readonly removedProfiles: NmProfile[];
}

function operations(input: DriverPlanInput<NmExtras | null>, profiles: readonly NmProfile[]): Operations | FieldError[] {
  const { spec, bondName, action, facts, runId } = input;
  const bond = bondProfiles(profiles, bondName);
  const ports = portProfiles(profiles, bondName);
  const commands: string[] = [];
  const warnings: string[] = [];
  const removed: NmProfile[] = [];
  if (action !== 'create' && bond.length === 0) {
    return [{ field: 'host', message: `${bondName} has no NetworkManager profile (another tool made it), so Bondsmith will not change it through NetworkManager.` }];
  }
  if (action === 'create' && bond.length > 0) {
    return [{ field: 'name', message: `NetworkManager already has a profile for ${bondName} ("${bond[0]?.id ?? ''}"); choose another name or edit that bond.` }];
  }
  if (action === 'delete' || spec === null) {
    commands.push(`nmcli connection delete ${[...bond, ...ports].map((p) => `uuid ${q(p.uuid)}`).join(' ')}`);
    // NM removes the bond's device a moment after nmcli returns; the check reads the kernel after this.
    commands.push(waitOnBox(`[ ! -e /sys/class/net/${q(bondName)} ]`, 10));
    warnings.push(`After ${bondName} is deleted its former members stay without a profile (disconnected, no address) until they are configured again.`);
    return { commands, warnings, removedProfiles: [...bond, ...ports] };
  }
  const oldMembers = action === 'update' ? currentMembers(facts, bondName) : [];
  const touched = [...new Set([bondName, ...oldMembers, ...spec.members])];
  const gw = gateways(facts, spec, touched);
  for (const l of gw.lost) warnings.push(`The default route via ${l.gateway} (on ${l.dev}) has no interface on its network after the change, so it is removed.`);
  if (spec.description !== '') warnings.push('NetworkManager keeps no description for a profile that nmcli can set, so the description is not saved on the box.');
  warnings.push(`NetworkManager saves the profiles as soon as they change and keeps its checkpoint in memory: if the box reboots inside the ${input.checkinTimeoutSeconds} s window, it starts with the new configuration.`);

  const bondUuid = bond[0]?.uuid ?? runUuid(runId, bondName);
  if (action === 'create') {
    commands.push(`nmcli connection add type bond connection.id ${q(bondName)} connection.uuid ${q(bondUuid)} connection.interface-name ${q(bondName)} ${settingArgs(bondSettings(spec, gw, 'no'))}`);
  } else {
    commands.push(`nmcli connection modify uuid ${q(bondUuid)} ${settingArgs(bondSettings(spec, gw, 'yes'))}`);
  }
  // Ports that leave: their profiles go. Ports that join: other profiles of that device go (they
  // would take the device back at boot), then a port profile of the bond's own is added.
  const portUuid = new Map<string, string>();
  for (const p of ports) {
    if (p.iface !== null && spec.members.includes(p.iface) && !portUuid.has(p.iface)) portUuid.set(p.iface, p.uuid);
    else removed.push(p);
  }
  for (const m of spec.members) {
    const others = otherProfilesOf(profiles, m, bondName);
    removed.push(...others);
    if (others.length > 0) warnings.push(`${m}'s own NetworkManager profile${others.length > 1 ? 's' : ''} (${others.map((o) => `"${o.id}"`).join(', ')}) ${others.length > 1 ? 'are' : 'is'} deleted: ${m} becomes a port of ${bondName}.`);
  }
  const removedUuids = [...new Set(removed.map((p) => p.uuid))];
  if (removedUuids.length > 0) commands.push(`nmcli connection delete ${removedUuids.map((u) => `uuid ${q(u)}`).join(' ')}`);
  const newPorts: string[] = [];
  for (const m of spec.members) {
    if (portUuid.has(m)) continue;
    newPorts.push(m);
    const uuid = runUuid(runId, `port:${m}`);
    portUuid.set(m, uuid);
    commands.push(
      `nmcli connection add type ethernet connection.id ${q(portProfileName(bondName, m))} connection.uuid ${q(uuid)} connection.interface-name ${q(m)} connection.master ${q(bondName)} connection.slave-type bond connection.autoconnect no`,
    );
  }
  // An edited bond is taken down first: NM activating a bond again while its ports are still in
  // it leaves the new bond.options unapplied (seen on the lab: a hash policy edited to layer2 stayed
  // layer3+4); down removes the bond device, and up makes it again with the new options. `|| true`:
  // a profile that is not active has nothing to take down.
  if (action === 'update') commands.push(`nmcli connection down uuid ${q(bondUuid)} || true`);
  // Activation in member order: the first port enslaved gives the bond its MAC address.
  commands.push(`nmcli -w 60 connection up uuid ${q(bondUuid)}`);
  for (const m of spec.members) commands.push(`nmcli -w 60 connection up uuid ${q(portUuid.get(m) ?? '')}`);
  // New profiles are added with autoconnect off and turned on once they run, so they come back at
  // boot. With it on, NM activates each as soon as it is added, out of order, and the explicit
  // activation above interrupts it (seen on the lab: "The base network connection was interrupted").
  // A new bond activated twice is deactivated once in between, and that "down" reaches NM's
  // dispatcher: Debian's 01-ifupdown runs ifenslave's post-down hook, which deletes the bond (seen
  // on the lab: a FAILOVER bond lost its first port and was re-made with the second only).
  if (action === 'create') commands.push(`nmcli connection modify uuid ${q(bondUuid)} connection.autoconnect yes`);
  for (const m of spec.members) if (newPorts.includes(m)) commands.push(`nmcli connection modify uuid ${q(portUuid.get(m) ?? '')} connection.autoconnect yes`);
  return { commands, warnings, removedProfiles: [...new Map(removed.map((p) => [p.uuid, p])).values()] };
}

/** Members NetworkManager does not manage: a port profile would never take them. */
function unmanagedMembers(input: DriverPlanInput<NmExtras | null>): FieldError[] {
  const spec = input.spec;
  if (spec === null || input.action === 'delete') return [];
  const managed = input.facts.stack.managedDevices;
  const errors: FieldError[] = [];
  spec.members.forEach((m, i) => {
    if (!managed.includes(m)) errors.push({ field: `members.${i}`, message: `NetworkManager does not manage ${m} (it is unmanaged there), so it cannot become a port of ${input.bondName}. Let NetworkManager manage it first.` });
  });
  return errors;
}

function applyScript(runId: string, commands: readonly string[]): string {
  const D = nmRunDir(runId);
  // Its pid is its process group's (setsid): a rollback stops the whole group before it rolls back.
  return [`# Bondsmith ${runId}: the change, run detached on the box; its exit status goes to ${D}/apply.rc`, `echo $$ > ${D}/apply.pid`, '(', '  set -e', ...commands.map((c) => `  ${c}`), ')', `echo $? > ${D}/apply.rc`].join('\n');
}

export function planNetworkManager(input: DriverPlanInput<NmExtras | null>): DriverPlanResult {
  const { facts, spec, action, bondName, runId, sudo } = input;
  const refusal = versionRefusal(facts.stack.version);
  if (refusal !== null) return { ok: false, code: 'HOST_CONFLICT', fieldErrors: [{ field: 'host', message: refusal }] };
  if (input.extras === null) return { ok: false, code: 'MISSING_FACTS', fieldErrors: [{ field: 'host', message: "NetworkManager's profiles were not read; discover the host again" }] };
  if ((facts.stack.checkpoints ?? []).length > 0) {
    return { ok: false, code: 'HOST_CONFLICT', fieldErrors: [{ field: 'host', message: 'NetworkManager has a checkpoint armed (a change made by Bondsmith or another tool waits for confirmation). Keep or revert it first.' }] };
  }
  const unmanaged = unmanagedMembers(input);
  if (unmanaged.length > 0) return { ok: false, code: 'HOST_CONFLICT', fieldErrors: unmanaged };
  const ops = operations(input, input.extras.profiles);
  if (Array.isArray(ops)) return { ok: false, code: 'HOST_CONFLICT', fieldErrors: ops };
  const D = nmRunDir(runId);
  const sh = (script: string): string => shScript(script, sudo);
  const script = applyScript(runId, ops.commands);
  const mgmt = managementNic(facts);
  const steps: PlanStep[] = [
    step({
      id: 'pending-check',
      title: 'Check that NetworkManager runs, has no checkpoint armed, and the tools are there',
      phase: 'prepare',
      command: sh(
        [
          'command -v nmcli >/dev/null || { echo "bondsmith: nmcli is not installed"; exit 5; }',
          'command -v busctl >/dev/null || command -v dbus-send >/dev/null || { echo "bondsmith: neither busctl nor dbus-send is installed"; exit 5; }',
          'case "$(nmcli -t -f RUNNING general </dev/null 2>&1)" in running) ;; *) echo "bondsmith: NetworkManager is not running"; exit 5 ;; esac',
          'if command -v busctl >/dev/null; then c=$(busctl get-property org.freedesktop.NetworkManager /org/freedesktop/NetworkManager org.freedesktop.NetworkManager Checkpoints 2>&1); else c=$(dbus-send --system --print-reply --dest=org.freedesktop.NetworkManager /org/freedesktop/NetworkManager org.freedesktop.DBus.Properties.Get string:org.freedesktop.NetworkManager string:Checkpoints 2>&1); fi',
          'case "$c" in */Checkpoint/*) echo "bondsmith: NetworkManager has a checkpoint armed already (another change is pending): $c"; exit 4 ;; esac',
          `if [ -e ${D} ]; then echo "bondsmith: run ${runId} was already used"; exit 4; fi`,
        ].join('\n'),
      ),
    }),
    step({
      id: 'write-apply',
      kind: 'file-write',
      title: 'Put the nmcli commands of the change on the box',
      phase: 'prepare',
      command: sh(`umask 077 && mkdir -p /run/bondsmith && mkdir ${D} && printf '%s\\n' ${q(script)} > ${D}/apply.sh`),
      detail: script,
    }),
    step({
      id: 'arm',
      title: `Arm NetworkManager's checkpoint: it rolls back on its own after ${input.checkinTimeoutSeconds} s unless confirmed`,
      phase: 'arm',
      command: sh(createCheckpointScript(runId, input.checkinTimeoutSeconds)),
      detail: `CheckpointCreate over D-Bus on every device, rollback timeout ${input.checkinTimeoutSeconds} s, flags DELETE_NEW_CONNECTIONS | DISCONNECT_NEW_DEVICES (a new bond and its profiles are removed too).`,
      check: { kind: 'stdout-matches', pattern: '^armed /org/freedesktop/NetworkManager/Checkpoint/[0-9]+$' },
      onFailure: 'rollback',
    }),
    step({
      id: 'apply',
      title: 'Apply the change with nmcli (detached, so a dropped session cannot cut it short)',
      phase: 'apply',
      command: sh(`setsid nohup sh ${D}/apply.sh > ${D}/apply.log 2>&1 < /dev/null &`),
      detail: ops.commands.join('\n'),
      onFailure: 'rollback',
    }),
    // nmcli -w 60 per activation: a change of several profiles may take a while.
    ...kernelVerifySteps({ runDir: D, bondName, sh, waitTitle: 'Wait for NetworkManager to finish', applyTimeoutSeconds: 120 }),
    step({
      id: 'confirm',
      title: "Keep the change: destroy NetworkManager's checkpoint",
      phase: 'confirm',
      command: sh(destroyCheckpointScript(runId)),
      check: { kind: 'stdout-matches', pattern: 'confirmed$' },
      onFailure: 'rollback',
      connection: 'fresh',
    }),
    step({
      id: 'rollback',
      title: "Undo the change now: roll NetworkManager's checkpoint back",
      phase: 'rollback',
      command: sh(rollbackCheckpointScript(runId)),
      check: { kind: 'stdout-matches', pattern: 'restored$' },
      connection: 'fresh',
    }),
  ];
  const warnings = [...ops.warnings];
  if (facts.stack.ifupdownHooks === true && action === 'update') {
    warnings.push(
      `NetworkManager on this host runs ifupdown's hooks (/etc/NetworkManager/dispatcher.d/01-ifupdown), and ifenslave's post-down hook deletes a bond each time NetworkManager takes it down, as this edit does: ${bondName} may come back without its ports, fail the checks and be rolled back. Removing the ifenslave package (NetworkManager needs none) avoids it.`,
    );
  }
  if (mgmt !== null && ops.removedProfiles.some((p) => p.iface === mgmt && p.active)) {
    warnings.push(`The profile that carries this SSH session on ${mgmt} is deleted and ${mgmt} becomes a port: the session drops for a moment while ${bondName} comes up.`);
  }
  return {
    ok: true,
    plan: {
      steps,
      warnings,
      // nmcli connection up re-activates the bond: NM tears it down and builds it again.
      impact: computeImpact({ facts, action, bondName, spec, rebuildsOnUpdate: true, servicesStepId: null }),
      // miimon 100 is in every bond.options Bondsmith writes; an MTU of 0 is left to the kernel.
      verify: computeVerify({ facts, action, bondName, spec, miimonMs: MIIMON_MS, defaultMtu: null }),
      rollbackScript: null,
      // A reboot or an NM restart inside the window drops the checkpoint unrolled while the profiles
      // stay on disk: the box then runs the change with nothing armed, and the app says so.
      armedProbe: { command: sh(checkpointArmedScript(runId)), armedPattern: '^armed$' },
    },
  };
}
