import type { PendingOnBox } from '../../../preload/contract/host-view';
import type { HostFacts } from '../../../preload/contract/inventory';
import { AppFailure } from '../../errors';
import { eligibleMembers } from '../../plan/eligible-members';
import { shScript } from '../../plan/steps';
import type { HostConnection } from '../../ssh/connection';
import type { HostDriver, ResolvePendingInput } from '../driver';
import { verifyKernel } from '../kernel-verify';
import { runResolveCommand } from '../resolve-command';
import { readBondSpec } from '../spec-reader';
import { destroyCheckpointScript, rollbackCheckpointScript } from './checkpoint';
import { planNetworkManager } from './plan';
import { parseProfiles, PROFILES_COMMAND, type NmExtras } from './profiles';
import { versionRefusal } from './version';

// Hosts whose network NetworkManager owns (RHEL, Fedora, Rocky, many Ubuntu and SUSE installs):
// bonds are NM profiles made with nmcli; NetworkManager's own checkpoint is the rollback.

function checkpointKey(path: string): string {
  return `nm-checkpoint-${path.slice(path.lastIndexOf('/') + 1)}`;
}

function pendingOnBox(facts: HostFacts): PendingOnBox[] {
  return (facts.stack.checkpoints ?? []).map((cp) => ({
    key: checkpointKey(cp),
    runId: null,
    text: `NetworkManager has a checkpoint armed (${cp}): a change waits for confirmation, and NetworkManager rolls it back on its own when its timer runs out.`,
    secondsLeft: null,
  }));
}

async function resolvePending(input: ResolvePendingInput): Promise<void> {
  const cp = (input.facts.stack.checkpoints ?? []).find((c) => checkpointKey(c) === input.pending.key);
  if (cp === undefined) throw new AppFailure('NOTHING_PENDING', 'That change is no longer waiting on the host (kept, reverted or rolled back by NetworkManager).');
  const script = input.decision === 'keep' ? destroyCheckpointScript(null, cp) : rollbackCheckpointScript(null, cp);
  await runResolveCommand(input.connection, shScript(script, input.sudo), input.decision === 'keep' ? /confirmed$/ : /restored$/);
}

async function readExtras(connection: HostConnection): Promise<NmExtras> {
  const r = await connection.exec(PROFILES_COMMAND, { timeoutMs: 30_000, maxOutputBytes: 1024 * 1024 });
  if (r.code !== 0) throw new AppFailure('DISCOVERY_FAILED', `NetworkManager's profiles could not be read: ${(r.stderr.trim() || r.stdout.trim()).slice(0, 200)}`);
  return { profiles: parseProfiles(r.stdout).profiles };
}

export const networkManagerDriver: HostDriver<NmExtras | null> = {
  kind: 'networkmanager',
  label: 'NetworkManager (nmcli, checkpoint rollback)',
  recognises: (facts) => facts.stack.manager === 'networkmanager',
  changeRefusal: (facts) => versionRefusal(facts.stack.version),
  readExtras,
  eligibleMembers: (facts, editing, options) => eligibleMembers(facts, editing, options),
  // NetworkManager runs its own DHCP client (ipv4.method auto): a lease on the bond is a dynamic
  // address (ip's dynamic flag), so such a bond is on DHCP and the lease is not one of its aliases.
  specOf: (facts, bondName) => readBondSpec(facts, bondName, { dhcp: facts.interfaces.some((i) => i.name === bondName && i.addresses.some((a) => a.family === 'inet' && a.dynamic === true)) }),
  plan: planNetworkManager,
  verify: verifyKernel,
  pendingOnBox,
  resolvePending,
};
