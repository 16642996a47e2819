/**
 * A shell loop that waits on the box itself: `condition` checked every 0.2 s for at most `seconds`.
 * A poll step whose command starts with it answers as soon as the box is done, in one round trip,
 * where a poll every second from the app would add up to a second and a round trip per try. Kept
 * short (a few seconds), so a command stuck on a path the change just cut is retried on a fresh one.
 */
export function waitOnBox(condition: string, seconds: number): string {
  const tries = Math.max(1, Math.round(seconds / 0.2));
  return `i=0; until ${condition} || [ "$i" -ge ${tries} ]; do sleep 0.2; i=$((i+1)); done`;
}

/** How long a poll command waits on the box before it answers "not yet". */
export const BOX_WAIT_SECONDS = 5;
