// Reconnect pacing. Exponential backoff with jitter so that many Bondsmith windows (or many hosts
// behind one jump box) do not hammer an sshd in lockstep; OpenSSH >= 9.8 PerSourcePenalties would
// otherwise start refusing this client.

export interface ReconnectPolicy {
  /** Delay before the first attempt after a drop. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  /** Give up when this much time has passed since the drop, whatever the attempt count. */
  readonly maxTotalMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxAttempts: 10,
  maxTotalMs: 5 * 60_000,
};

/** Delay before attempt `attempt` (1-based): doubling from initialDelayMs, capped, 50-100 % jitter. */
export function backoffDelay(attempt: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.5 + 0.5 * random()));
}
