import { labExec, type LabFlavor, type LabHostStatus } from '../lab/lab';
import { waitFor } from '../lab/lab-process';

// What a lab box ends in after a fault, read over the lab's control path (never through the app):
// the new bond confirmed (running, persisted by the box's own stack, nothing armed or pending), the
// old configuration restored (no trace of the bond, the management address back on ens3, nothing
// armed), or stranded: anything else once the box has nothing left that would settle it (a
// half-applied bond, a bond running that the next boot loses, a leftover timer, a pending
// middleware change or a checkpoint nobody resolves). A box that reads as confirmed-new while the
// app never confirmed it is kept-unconfirmed (driver-cells.ts): the box rebooted or its network
// service restarted inside the window, which keeps the change on TrueNAS (its edits are in the
// database at once) and on NetworkManager (its checkpoint lives in memory, the profiles on disk);
// the app must then say so and offer a safe apply that reverts it, or the cell is stranded.

export type Outcome = 'confirmed-new' | 'restored-old' | 'kept-unconfirmed' | 'stranded';

export interface BoxState {
  /** The box still has a rollback armed (its timer, the middleware's check-in wait, a checkpoint). */
  readonly armed: boolean;
  /** Some trace of the bond is on the box (running or kept by its stack). */
  readonly present: boolean;
  readonly outcome: Outcome;
  /** The facts the outcome was read from, for the table and for a failure message. */
  readonly facts: string;
}

interface Facts {
  /** The kernel runs the bond. */
  readonly kernel: boolean;
  /** The box's own stack keeps it (ifupdown file, middleware configuration, NM profile on disk). */
  readonly persisted: boolean;
  readonly armed: boolean;
  /** A change the box holds that nothing will resolve by itself (the middleware's unsaved changes). */
  readonly pendingUnarmed: boolean;
  /** Some of the cell's members are enslaved to a bond. */
  readonly membersEnslaved: boolean;
  readonly mgmtOnEns3: boolean;
}

/** Shell lines printing `key=0|1` facts for one bond on one flavor; `bond` and members are checked names. */
const PROBES: { readonly [F in LabFlavor]: (bond: string) => string } = {
  linux: (bond) =>
    [
      `[ -e /etc/network/interfaces.d/${bond} ] && echo persisted=1 || echo persisted=0`,
      // The rollback timer's marker (main/drivers/linux-ifupdown): present while it waits.
      'n=$(ls /run/bondsmith/*/armed 2>/dev/null | wc -l); [ "$n" -gt 0 ] && echo armed=1 || echo armed=0',
      'echo pendingUnarmed=0',
    ].join('\n'),
  truenas: (bond) =>
    [
      `[ "$(midclt call interface.query '[["id","=","${bond}"]]')" != '[]' ] && echo persisted=1 || echo persisted=0`,
      'w=$(midclt call interface.checkin_waiting); [ "$w" != null ] && echo armed=1 || echo armed=0',
      // Unsaved changes with no commit waiting for a check-in: nothing rolls them back.
      'p=$(midclt call interface.has_pending_changes); [ "$p" = True ] && [ "$w" = null ] && echo pendingUnarmed=1 || echo pendingUnarmed=0',
    ].join('\n'),
  networkmanager: (bond) =>
    [
      `grep -rlsx 'interface-name=${bond}' /etc/NetworkManager/system-connections/ >/dev/null && echo persisted=1 || echo persisted=0`,
      'c=$(busctl get-property org.freedesktop.NetworkManager /org/freedesktop/NetworkManager org.freedesktop.NetworkManager Checkpoints 2>&1)',
      'case "$c" in *Checkpoint/*) echo armed=1 ;; *) echo armed=0 ;; esac',
      'echo pendingUnarmed=0',
    ].join('\n'),
};

function probeCommand(flavor: LabFlavor, bond: string, members: readonly string[], mgmtIp: string): string {
  return [
    `[ -e /proc/net/bonding/${bond} ] && echo kernel=1 || echo kernel=0`,
    PROBES[flavor](bond),
    `e=0; for m in ${members.join(' ')}; do ip -o link show dev "$m" 2>/dev/null | grep -q ' master ' && e=1; done; echo membersEnslaved=$e`,
    `ip -o -4 addr show dev ens3 | grep -qF ' ${mgmtIp}/' && echo mgmtOnEns3=1 || echo mgmtOnEns3=0`,
  ].join('\n');
}

function parseFacts(text: string): Facts {
  const value = (key: string): boolean => {
    const m = new RegExp(`^${key}=([01])$`, 'm').exec(text);
    if (!m) throw new Error(`box probe printed no ${key}: ${text.slice(0, 400)}`);
    return m[1] === '1';
  };
  return { kernel: value('kernel'), persisted: value('persisted'), armed: value('armed'), pendingUnarmed: value('pendingUnarmed'), membersEnslaved: value('membersEnslaved'), mgmtOnEns3: value('mgmtOnEns3') };
}

function classify(f: Facts, mgmtMoves: boolean): Outcome {
  if (f.armed || f.pendingUnarmed) return 'stranded';
  if (f.kernel && f.persisted && f.membersEnslaved && f.mgmtOnEns3 !== mgmtMoves) return 'confirmed-new';
  if (!f.kernel && !f.persisted && !f.membersEnslaved && f.mgmtOnEns3) return 'restored-old';
  return 'stranded';
}

export interface BondUnderTest {
  readonly bond: string;
  readonly members: readonly string[];
  /** The change moves the management address off ens3 (onto the bond). */
  readonly mgmtMoves: boolean;
}

export async function readBox(lab: string, host: LabHostStatus, cell: BondUnderTest): Promise<BoxState> {
  const mgmtIp = host.mgmt.address.split('/')[0] ?? '';
  const r = await labExec(host.name, probeCommand(host.flavor, cell.bond, cell.members, mgmtIp), { user: 'root', timeoutMs: 30_000 }, lab);
  const f = parseFacts(r.stdout);
  const facts = Object.entries(f)
    .map(([k, v]) => `${k}=${v ? 1 : 0}`)
    .join(' ');
  return { armed: f.armed, present: f.kernel || f.persisted, outcome: classify(f, cell.mgmtMoves), facts };
}

/** After the last rollback is disarmed, how long a box may take to finish putting things back. */
const UNDO_GRACE_MS = 20_000;

/**
 * Waits until the box has nothing armed (its own rollback has fired or been cancelled) and has
 * finished undoing (a rollback that just fired is still at work for a moment), then reads what it
 * ended in. A box still armed after `timeoutMs` is stranded: the window it was given is over.
 */
export async function settledBox(lab: string, host: LabHostStatus, cell: BondUnderTest, timeoutMs: number): Promise<BoxState> {
  let disarmedAt: number | null = null;
  let state = await readBox(lab, host, cell);
  const settled = (): boolean => {
    if (state.armed) return false;
    disarmedAt ??= Date.now();
    return state.outcome !== 'stranded' || Date.now() - disarmedAt > UNDO_GRACE_MS;
  };
  if (settled()) return state;
  // At the deadline the box is read as it is: still armed is stranded, the window it was given is over.
  await waitFor(`${host.name} to settle`, timeoutMs, async () => {
    state = await readBox(lab, host, cell);
    return settled() ? state : null;
  }, 1000).catch(() => undefined);
  return state;
}
