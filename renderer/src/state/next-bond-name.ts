import type { HostFacts } from '../../../preload/contract';

/** The first free bondN name on the host. */
export function nextBondName(facts: HostFacts): string {
  return firstBondNameFreeOnAll([facts]);
}

/**
 * The first bondN name no host uses: a new bond rolled out to several hosts must not carry the name
 * of a bond one of them already has, or the rollout would change that bond instead of adding one.
 */
export function firstBondNameFreeOnAll(hosts: readonly HostFacts[]): string {
  const taken = new Set(hosts.flatMap((facts) => facts.interfaces.map((i) => i.name)));
  for (let n = 0; n < 10_000; n++) if (!taken.has(`bond${n}`)) return `bond${n}`;
  return 'bond0';
}
