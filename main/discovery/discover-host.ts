import type { HostFacts } from '../../preload/contract';
import { AppFailure } from '../errors';
import type { HostConnection } from '../ssh/connection';
import { DISCOVERY_SCRIPT } from './discovery-script';
import { parseDiscovery } from './parse-discovery';

const DISCOVERY_TIMEOUT_MS = 30_000;
const DISCOVERY_MAX_BYTES = 4 * 1024 * 1024;

/**
 * One remote command per refresh (discovery-script.ts), parsed into the typed inventory. The
 * connection runs what it is given with `sh -c` already, so the script goes as it is: wrapped in
 * DISCOVERY_COMMAND's own `sh -c` it would cost a second shell on the box every refresh.
 */
export async function discoverHost(connection: HostConnection): Promise<HostFacts> {
  const collectedAt = new Date().toISOString();
  const result = await connection.exec(DISCOVERY_SCRIPT, { timeoutMs: DISCOVERY_TIMEOUT_MS, maxOutputBytes: DISCOVERY_MAX_BYTES });
  const parsed = parseDiscovery(result.stdout, { collectedAt });
  if (!parsed.ok) {
    const stderr = result.stderr.trim().split('\n')[0] ?? '';
    throw new AppFailure(parsed.error.code, stderr ? `${parsed.error.message} (${stderr.slice(0, 300)})` : parsed.error.message);
  }
  return parsed.value;
}
