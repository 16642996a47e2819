// NetworkManager versions: checkpoints (CheckpointCreate/Destroy/Rollback) came in 1.4, and the
// rollback of new connections and devices the driver relies on, with CheckpointAdjustRollbackTimeout,
// is complete from 1.12 (reference/peer-tools.md §2.2). Older ones are refused for changes.

export const MIN_CHECKPOINT_VERSION: readonly [number, number] = [1, 12];

export function parseNmVersion(text: string | null): readonly [number, number] | null {
  const m = /^(\d{1,3})\.(\d{1,4})(?:[.\-~+]|$)/.exec(text?.trim() ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function supportsCheckpoints(v: readonly [number, number]): boolean {
  const [major, minor] = MIN_CHECKPOINT_VERSION;
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/** Why this NetworkManager must not be changed, or null. */
export function versionRefusal(text: string | null): string | null {
  const v = parseNmVersion(text);
  if (v === null) return `The version of NetworkManager on this host is not known${text ? ` ("${text.slice(0, 40)}")` : ''}, so Bondsmith cannot tell whether it has checkpoints to roll a change back; it changes nothing.`;
  if (!supportsCheckpoints(v)) {
    return `This host runs NetworkManager ${text?.trim() ?? ''}, which is older than ${MIN_CHECKPOINT_VERSION.join('.')}: it has no checkpoint that also removes new connections, so a change could not be rolled back. Bondsmith changes nothing here.`;
  }
  return null;
}
