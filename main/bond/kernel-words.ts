import type { LacpduRate, XmitHashPolicy } from '../../preload/contract/bond-spec';

// The editor's names for bond settings and the Linux bonding driver's words for the same settings
// (Documentation/networking/bonding.rst: xmit_hash_policy, lacp_rate). Names live in the editor's
// spelling everywhere in Bondsmith; these convert at the edge, where a kernel file or command is read
// or written.

/** LAYER2+3 -> layer2+3. */
export function kernelHashPolicy(policy: XmitHashPolicy): string {
  return policy.toLowerCase();
}

/** "layer2+3 (2)" or "layer2+3" -> LAYER2+3; null for policies the editor does not offer (encap2+3, ...). */
export function hashPolicyFromKernel(text: string | null): XmitHashPolicy | null {
  const word = (text ?? '').trim().split(/\s+/)[0] ?? '';
  return word === 'layer2' ? 'LAYER2' : word === 'layer2+3' ? 'LAYER2+3' : word === 'layer3+4' ? 'LAYER3+4' : null;
}

/** SLOW -> slow. */
export function kernelLacpRate(rate: LacpduRate): 'slow' | 'fast' {
  return rate === 'FAST' ? 'fast' : 'slow';
}
