import { describe, expect, it } from 'vitest';
import { parseProcBonding } from '../../../../main/bond/proc-bonding';
import { switchGuidance } from './switch-guidance';

const files = import.meta.glob<string>('../../../../main/bond/fixtures/*.txt', { query: '?raw', import: 'default', eager: true });

function bondOf(name: string) {
  const text = Object.entries(files).find(([p]) => p.endsWith(`/${name}`))?.[1] ?? '';
  const r = parseProcBonding('bond0', text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.status;
}

describe('switchGuidance', () => {
  it('LACP with no partner: one LACP port-channel, and the check says the switch sends no LACPDUs', () => {
    const g = switchGuidance(bondOf('k6.1-802.3ad-no-partner.txt'));
    expect(g?.ports).toContain('one LACP port-channel');
    expect(g?.checks.join(' ')).toContain('sends no LACPDUs');
    expect(g?.hash).toContain('layer3+4');
    expect(g?.examples.map((e) => e.lines.join('\n')).join('\n')).toContain('channel-group 1 mode active');
  });
  it('split aggregators point at different port-channels', () => {
    expect(switchGuidance(bondOf('k5.10-802.3ad-split-aggregators.txt'))?.checks.join(' ')).toContain('different port-channels');
  });
  it('LOADBALANCE needs a static LAG, FAILOVER plain ports and no hash', () => {
    expect(switchGuidance(bondOf('k6.1-balance-xor-ok.txt'))?.ports).toContain('static LAG');
    const fo = switchGuidance(bondOf('k3.10-active-backup-ok.txt'));
    expect(fo?.ports).toContain('Plain switch ports');
    expect(fo?.hash).toBeNull();
    expect(fo?.examples).toEqual([]);
  });
  it('a healthy LACP bond has nothing to check', () => {
    expect(switchGuidance(bondOf('k6.8-802.3ad-ok.txt'))?.checks).toEqual([]);
  });
  it('modes Bondsmith does not create get no guidance', () => {
    expect(switchGuidance(bondOf('k5.10-balance-tlb.txt'))).toBeNull();
  });
});
