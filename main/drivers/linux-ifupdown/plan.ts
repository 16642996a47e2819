import type { BondSpec } from '../../../preload/contract/bond-spec';
import type { HostFacts } from '../../../preload/contract/inventory';
import { currentMembers, touchedInterfaces } from '../../plan/host-view';
import {
  INTERFACES_PATH,
  bondFilePath,
  disableStanzas,
  renderBondFile,
  sourcesInterfacesD,
  withSourceLine,
  type LinuxNetworkFiles,
} from './config';
import { MIIMON_MS, bondStateFromFacts, bondStateFromSpec, devForGateway, nicStateFromFacts, type NicState, type RouteState, type RuntimeState } from './runtime';
import { applyScript, armScript, confirmScript, restoreScript, rollbackNowScript, runDir, stateDir, timerScript, type FileChange, type ScriptInput } from './scripts';
import { computeImpact, computeVerify } from '../../plan/impact';
import type { PlanAction, PlanStep } from '../../plan/plan-types';
import type { DriverPlanInput, DriverPlanResult } from '../driver';
import { kernelVerifySteps } from '../kernel-steps';
import { quoteForShell as q } from '../../shell/quote';
import { shScript, step } from '../../plan/steps';
import { unifiedDiff } from '../../plan/unified-diff';

// Plain Linux (Debian family, ifupdown + ifenslave): snapshot, arm a detached timer that restores the
// old runtime state, apply with iproute2, verify over a fresh connection, and only on confirm write
// the ifupdown files, so a reboot inside the window boots the old configuration (DESIGN.md "Safe apply").
// Privilege: every step is one `sh -c` script, run as `sudo -n sh -c ...` when not root.

export interface LinuxPlanInput {
  readonly action: PlanAction;
  readonly spec: BondSpec | null;
  readonly bondName: string;
  readonly facts: HostFacts;
  readonly runId: string;
  readonly checkinTimeoutSeconds: number;
  readonly sudo: boolean;
  /** Current ifupdown files; null when discovery did not read them (then nothing else is rewritten). */
  readonly files: LinuxNetworkFiles | null;
}

export interface LinuxSteps {
  readonly steps: PlanStep[];
  readonly warnings: string[];
  readonly rollbackScript: string;
  readonly before: RuntimeState;
  readonly after: RuntimeState;
  /** Default routes that no interface can reach after the change. */
  readonly routesLost: RouteState[];
}

export type LinuxStepsResult = { readonly ok: true; readonly value: LinuxSteps } | { readonly ok: false; readonly message: string };

function states(input: LinuxPlanInput): { before: RuntimeState; after: RuntimeState; touched: string[]; routesLost: RouteState[] } | string {
  const { facts, bondName, spec, action } = input;
  const oldMembers = action === 'create' ? [] : currentMembers(facts, bondName);
  const newMembers = spec && action !== 'delete' ? spec.members : [];
  const touched = touchedInterfaces(bondName, oldMembers, newMembers);
  const oldBond = action === 'create' ? null : bondStateFromFacts(facts, bondName);
  if (action !== 'create' && oldBond === null) return `The current state of ${bondName} is not known (/proc/net/bonding/${bondName} was not read); discover the host again`;
  const beforeNics = touched.filter((n) => n !== bondName && !oldMembers.includes(n)).map((n) => nicStateFromFacts(facts, n));
  const routes = facts.defaultRoutes.filter((r) => touched.includes(r.dev)).map((r) => ({ family: r.family, gateway: r.gateway, dev: r.dev }));
  const before: RuntimeState = { bond: oldBond, nics: beforeNics, routes };
  const newBond = spec && action !== 'delete' ? bondStateFromSpec(spec) : null;
  // Ports leaving a bond stay down with no address, as on TrueNAS, until configured again.
  const afterNics: NicState[] = touched.filter((n) => n !== bondName && !newMembers.includes(n)).map((name) => ({ name, up: false, mtu: null, addresses: [] }));
  const draft: RuntimeState = { bond: newBond, nics: afterNics, routes: [] };
  const afterRoutes: RouteState[] = [];
  const routesLost: RouteState[] = [];
  for (const r of routes) {
    const dev = devForGateway(draft, r);
    if (dev !== null) afterRoutes.push({ ...r, dev });
    else if (!newBond?.dhcp) routesLost.push(r);
  }
  return { before, after: { ...draft, routes: afterRoutes }, touched, routesLost };
}

interface PersistPlan {
  readonly changes: FileChange[];
  readonly diff: string;
  readonly warnings: string[];
}

function persistPlan(input: LinuxPlanInput, after: RuntimeState, touched: readonly string[]): PersistPlan {
  const { files, bondName, spec } = input;
  const warnings: string[] = [];
  const changes: FileChange[] = [];
  const ownPath = bondFilePath(bondName);
  const others = (files ? [[INTERFACES_PATH, files.interfaces] as const, ...Object.entries(files.interfacesD).map(([n, c]) => [`/etc/network/interfaces.d/${n}`, c] as const)] : []).filter(
    ([path, content]) => path !== ownPath && content !== null,
  ) as [string, string][];
  const dnsOptions: string[] = [];
  for (const [path, content] of others) {
    const r = disableStanzas(content, touched, input.action === 'delete' ? `${bondName} deleted by Bondsmith` : `now configured in ${ownPath}`);
    dnsOptions.push(...r.dnsOptions);
    let next = r.content;
    if (path === INTERFACES_PATH && after.bond && !sourcesInterfacesD(next)) next = withSourceLine(next);
    if (next !== content) changes.push({ path, expected: content, content: next });
  }
  if (files === null) {
    warnings.push(`${INTERFACES_PATH} was not read: if it configures ${touched.join(', ')} itself, that configuration conflicts with ${ownPath} at the next boot.`);
  } else if (files.interfaces === null) {
    warnings.push(`${INTERFACES_PATH} does not exist: nothing reads ${ownPath} at boot unless ifupdown is set up.`);
  }
  const current = files ? (files.interfacesD[bondName] ?? null) : undefined;
  const content = after.bond && spec ? renderBondFile({ bond: after.bond, description: spec.description, routes: after.routes.filter((r) => r.dev === bondName), dnsOptions: [...new Set(dnsOptions)] }) : null;
  if (content !== current) changes.unshift({ path: ownPath, expected: current, content });
  const diff = changes.map((c) => unifiedDiff(c.path, c.expected ?? null, c.content)).join('');
  return { changes, diff, warnings };
}

/** The line before each script in the prepare step's detail; the script follows byte for byte. */
export function scriptSectionHeader(name: string): string {
  return `--- ${name} ---`;
}

/** The scripts the prepare step writes, read back from its detail (for tests and the plan view). */
export function scriptsInPrepareDetail(detail: string): Record<string, string> {
  const out: Record<string, string> = {};
  const parts = detail.split(/^--- ([a-z]+\.sh) ---\n/m);
  for (let i = 1; i + 1 < parts.length; i += 2) out[parts[i] ?? ''] = parts[i + 1] ?? '';
  return out;
}

export function buildLinuxSteps(input: LinuxPlanInput): LinuxStepsResult {
  const s = states(input);
  if (typeof s === 'string') return { ok: false, message: s };
  const { before, after, touched, routesLost } = s;
  const { runId, sudo, bondName } = input;
  const D = stateDir(runId);
  const R = runDir(runId);
  const title = `${input.action} ${bondName}`;
  const scriptInput: ScriptInput = { runId, title, bondName, before, after, touched, timeoutSeconds: input.checkinTimeoutSeconds };
  const restore = restoreScript(scriptInput);
  const persist = persistPlan(input, after, touched);
  const sh = (script: string): string => shScript(script, sudo);
  const needs = ['ip', 'setsid', 'nohup', 'cmp', ...(after.bond?.dhcp ? ['dhclient'] : [])];
  const scripts: ReadonlyArray<readonly [string, string]> = [
    ['restore.sh', restore],
    ['apply.sh', applyScript(scriptInput)],
    ['timer.sh', timerScript(scriptInput)],
  ];
  // One round trip for everything before the arm: the checks, the snapshot and the three scripts.
  // Each part stops the whole command with its own exit status and message.
  const prepare = [
    'for f in /run/bondsmith/*/armed; do if [ -e "$f" ]; then echo "bondsmith: another change is still pending ($f)"; exit 4; fi; done',
    `for t in ${needs.join(' ')}; do command -v "$t" >/dev/null || { echo "bondsmith: $t is not installed"; exit 5; }; done`,
    `if [ -e ${D} ]; then echo "bondsmith: run ${runId} was already used"; exit 4; fi`,
    `umask 077 && mkdir -p ${D} && mkdir -p ${R} || exit 1`,
    `ip -d addr show > ${D}/ip-addr.txt && ip -d link show > ${D}/ip-link.txt || exit 1`,
    `ip route show table all > ${D}/ip-route.txt; ip -6 route show table all > ${D}/ip6-route.txt`,
    `cat /proc/net/bonding/* > ${D}/proc-bonding.txt 2>/dev/null`,
    `cp -a /etc/network ${D}/etc-network || exit 1`,
    ...scripts.map(([name, content]) => `printf '%s' ${q(content)} > ${D}/${name} || exit 1`),
  ].join('\n');
  const steps: PlanStep[] = [
    step({
      id: 'prepare',
      kind: 'file-write',
      title: 'Check the box, save its network state and put the change\'s scripts on it',
      phase: 'prepare',
      command: sh(prepare),
      detail:
        `Stops if another change is waiting for confirmation or a tool is missing (${needs.join(', ')}). Saves addresses, links, routes, bonds and a copy of /etc/network into ${D}, then writes these scripts there:\n` +
        scripts.map(([name, content]) => `${scriptSectionHeader(name)}\n${content}`).join(''),
    }),
    step({
      id: 'arm',
      title: `Arm the automatic rollback (${input.checkinTimeoutSeconds} s)`,
      phase: 'arm',
      command: sh(armScript(runId)),
      check: { kind: 'stdout-matches', pattern: '^armed [0-9]+$' },
      onFailure: 'rollback',
    }),
    step({
      id: 'apply',
      title: 'Apply the change now (detached, so a dropped session cannot cut it short)',
      phase: 'apply',
      command: sh(`setsid nohup sh ${D}/apply.sh > ${D}/apply.log 2>&1 < /dev/null &`),
      onFailure: 'rollback',
    }),
    ...kernelVerifySteps({ runDir: D, bondName, sh, waitTitle: 'Wait for the change to finish', applyTimeoutSeconds: 60 }),
    step({
      id: 'confirm',
      kind: 'file-write',
      title: 'Keep the change: stop the rollback timer and write the configuration files',
      phase: 'confirm',
      command: sh(confirmScript(runId, persist.changes)),
      detail: persist.diff === '' ? 'No file changes.' : persist.diff,
      check: { kind: 'stdout-matches', pattern: 'confirmed$' },
      onFailure: 'rollback',
      connection: 'fresh',
    }),
    step({ id: 'rollback', title: 'Undo the change now and restore the previous state', phase: 'rollback', command: sh(rollbackNowScript(runId)), check: { kind: 'stdout-matches', pattern: 'restored$' }, connection: 'fresh' }),
  ];
  const warnings = [...persist.warnings];
  for (const r of routesLost) warnings.push(`The default route via ${r.gateway} (on ${r.dev}) has no interface on its network after the change, so it is removed.`);
  return { ok: true, value: { steps, warnings, rollbackScript: restore, before, after, routesLost } };
}

/** What the ifupdown driver reads beyond discovery. */
export interface LinuxExtras {
  /** The current ifupdown files; null when they could not be read (then nothing else is rewritten). */
  readonly files: LinuxNetworkFiles | null;
}

/** The ifupdown driver's plan: scripts, file diff, impact and checks of one change. */
export function planLinuxIfupdown(input: DriverPlanInput<LinuxExtras | null>): DriverPlanResult {
  const { facts, spec, action, bondName } = input;
  const l = buildLinuxSteps({ action, spec, bondName, facts, runId: input.runId, checkinTimeoutSeconds: input.checkinTimeoutSeconds, sudo: input.sudo, files: input.extras?.files ?? null });
  if (!l.ok) return { ok: false, code: 'MISSING_FACTS', fieldErrors: [{ field: 'host', message: l.message }] };
  return {
    ok: true,
    plan: {
      steps: l.value.steps,
      warnings: l.value.warnings,
      // ifupdown's bond is rebuilt on every update (the apply script leaves the old state, enters the new).
      impact: computeImpact({ facts, action, bondName, spec, rebuildsOnUpdate: true, servicesStepId: null }),
      // Bondsmith sets miimon 100 on every bond it creates; an unset MTU is left to the kernel.
      verify: computeVerify({ facts, action, bondName, spec, miimonMs: MIIMON_MS, defaultMtu: null }),
      rollbackScript: l.value.rollbackScript,
    },
  };
}
