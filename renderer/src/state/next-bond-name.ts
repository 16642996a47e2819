import type { HostFacts } from '../../../preload/contract';

/** The first free bondN name on the host. */
export function nextBondName(facts: HostFacts): string {
  const taken = new Set(facts.interfaces.map((i) => i.name));
  for (let n = 0; n < 10_000; n++) if (!taken.has(`bond${n}`)) return `bond${n}`;
  return 'bond0';
}
