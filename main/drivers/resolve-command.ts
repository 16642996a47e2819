import { AppFailure } from '../errors';
import { explainSudoRefusal } from '../shell/sudo';
import type { HostConnection } from '../ssh/connection';

/**
 * Runs one command of a Keep or Revert of a change pending on the box; the box refusing (a non-zero
 * exit, or an answer that does not match `expect`) is PENDING_RESOLVE_FAILED with what it said.
 */
export async function runResolveCommand(connection: HostConnection, command: string, expect: RegExp | null): Promise<void> {
  const r = await connection.exec(command, { timeoutMs: 120_000 });
  const out = r.stdout.trim();
  if (r.code !== 0 || (expect && !expect.test(out))) {
    const why = explainSudoRefusal(r) ?? (r.stderr.trim() || out).split('\n').slice(0, 3).join(' ');
    throw new AppFailure('PENDING_RESOLVE_FAILED', `The host refused: ${why || `exit status ${String(r.code)}`}`);
  }
}
