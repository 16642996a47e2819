import { describe, expect, it } from 'vitest';
import { parseProcBonding } from '../../../../main/bond/proc-bonding';
import { layoutBondPicture, type BondPictureLayout, type Rect } from './bond-picture-layout';
import { pictureVerdict } from './bond-picture-words';

// The picture's layout from the facts of every /proc/net/bonding fixture: every member drawn once, in
// the group of its aggregator, nothing overlapping, everything inside the picture.

const files = import.meta.glob<string>('../../../../main/bond/fixtures/*.txt', { query: '?raw', import: 'default', eager: true });
const fixtures = Object.entries(files).map(([path, text]) => [path.split('/').pop() ?? path, text] as const);

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function inside(r: Rect, outer: Rect): boolean {
  return r.x >= outer.x && r.y >= outer.y && r.x + r.w <= outer.x + outer.w && r.y + r.h <= outer.y + outer.h;
}

function pairwiseDisjoint(rects: readonly Rect[]): boolean {
  return rects.every((a, i) => rects.every((b, j) => i === j || !overlaps(a, b)));
}

function checkLayout(layout: BondPictureLayout): void {
  const canvas: Rect = { x: 0, y: 0, w: layout.width, h: layout.height };
  const groupBoxes = layout.groups.map((g) => g.box);
  expect(pairwiseDisjoint(groupBoxes)).toBe(true);
  expect(pairwiseDisjoint(layout.members.map((d) => d.port))).toBe(true);
  expect(pairwiseDisjoint(layout.members.map((d) => d.switchPort))).toBe(true);
  expect(pairwiseDisjoint(layout.members.flatMap((d) => [d.cableLabelBox, d.stateLabelBox]))).toBe(true);
  expect(overlaps(layout.host, groupBoxes[0] ?? { x: -9, y: -9, w: 1, h: 1 })).toBe(false);
  for (const g of layout.groups) {
    expect(inside(g.box, canvas)).toBe(true);
    expect(inside(g.labelBox, g.box)).toBe(true);
    for (const d of layout.members) expect(overlaps(g.labelBox, d.switchPort)).toBe(false);
  }
  for (const d of layout.members) {
    expect(inside(d.port, layout.host)).toBe(true);
    // The cable label sits on the cable, between host and switch, clear of every box.
    expect(d.cableLabelBox.x).toBeGreaterThanOrEqual(d.port.x + d.port.w);
    expect(d.cableLabelBox.x + d.cableLabelBox.w).toBeLessThanOrEqual(d.switchPort.x);
    expect(d.stateLabelBox.x).toBeGreaterThanOrEqual(d.port.x + d.port.w);
    expect(d.stateLabelBox.x + d.stateLabelBox.w).toBeLessThanOrEqual(d.switchPort.x);
    const group = layout.groups.find((g) => g.members.includes(d.member.name));
    expect(group).toBeDefined();
    if (group) expect(inside(d.switchPort, group.box)).toBe(true);
    expect(d.member.name.length * 7.3 + 8).toBeLessThanOrEqual(d.port.w);
  }
  expect(inside(layout.host, canvas)).toBe(true);
}

describe('layoutBondPicture on every /proc/net/bonding fixture', () => {
  it('has all 25 fixtures', () => {
    expect(fixtures).toHaveLength(25);
  });

  it.each(fixtures)('%s: every member drawn once, grouped by aggregator, nothing overlapping', (_file, text) => {
    const parsed = parseProcBonding('bond0', text);
    if (!parsed.ok) {
      // The one file that is not a bonding file at all: there is no bond to draw.
      expect(_file).toBe('malformed-garbage.txt');
      return;
    }
    const bond = parsed.value.status;
    const layout = layoutBondPicture(bond);
    expect(layout.members.map((d) => d.member.name).sort()).toEqual(bond.members.map((m) => m.name).sort());
    expect(layout.groups.flatMap((g) => g.members).sort()).toEqual(bond.members.map((m) => m.name).sort());
    if (bond.mode === '802.3ad') {
      for (const g of layout.groups) for (const name of g.members) expect(bond.members.find((m) => m.name === name)?.aggregatorId).toBe(g.aggregatorId);
    } else {
      expect(layout.groups).toHaveLength(1);
    }
    checkLayout(layout);
    expect(pictureVerdict(bond, layout).length).toBeGreaterThan(0);
  });
});

function fixture(name: string) {
  const text = fixtures.find(([f]) => f === name)?.[1];
  const parsed = parseProcBonding('bond0', text ?? '');
  if (!parsed.ok) throw new Error(parsed.error.message);
  const bond = parsed.value.status;
  return { bond, layout: layoutBondPicture(bond) };
}

describe('what the picture shows at a glance', () => {
  it('split aggregators: two switch groups, the second not active, its member not carrying', () => {
    const { bond, layout } = fixture('k5.10-802.3ad-split-aggregators.txt');
    expect(layout.groups.map((g) => [g.aggregatorId, g.lines[0], g.tone])).toEqual([
      [1, 'Aggregator 1 · active', 'ok'],
      [2, 'Aggregator 2 · not active', 'error'],
    ]);
    expect(layout.members.map((d) => [d.member.name, d.state])).toEqual([
      ['enp65s0f0', 'carrying'],
      ['enp65s0f1', 'negotiating'],
    ]);
    expect(pictureVerdict(bond, layout)).toContain('split over 2 aggregators');
  });

  it('a partner of all zeros is named on the switch side', () => {
    const { bond, layout } = fixture('k6.1-802.3ad-no-partner.txt');
    expect(layout.groups.every((g) => g.lines.includes('No LACP partner') && g.tone === 'error')).toBe(true);
    expect(layout.members.every((d) => d.state === 'no-partner')).toBe(true);
    expect(pictureVerdict(bond, layout)).toContain('does not answer LACP');
    expect(pictureVerdict(bond, layout)).not.toContain('split');
  });

  it('healthy LACP: one group with the partner MAC and key, every cable carrying', () => {
    const { layout } = fixture('k4.19-802.3ad-ok.txt');
    expect(layout.groups).toHaveLength(1);
    expect(layout.groups[0]?.partnerMac).toMatch(/^[0-9a-f:]{17}$/);
    expect(layout.groups[0]?.lines.some((l) => l.startsWith('partner key '))).toBe(true);
    expect(layout.members.every((d) => d.state === 'carrying')).toBe(true);
  });

  it('a member still negotiating (churned, not in sync) is not drawn as carrying', () => {
    const { layout } = fixture('k6.1-802.3ad-churned.txt');
    expect(layout.members.map((d) => d.state)).toContain('negotiating');
  });

  it('a member whose switch side is not yet collecting and distributing is negotiating, not carrying', () => {
    const { bond } = fixture('k4.19-802.3ad-ok.txt');
    const [first, second] = bond.members;
    if (!first?.partner || !second) throw new Error('fixture changed');
    const switchNotReady = { ...bond, members: [{ ...first, partner: { ...first.partner, state: 15 } }, second] };
    expect(layoutBondPicture(switchNotReady).members.map((d) => d.state)).toEqual(['negotiating', 'carrying']);
  });

  it('a pulled cable is drawn as no link', () => {
    const { layout } = fixture('k4.19-802.3ad-member-down.txt');
    expect(layout.members.some((d) => d.state === 'down' && d.cableLabel === 'no link')).toBe(true);
  });

  it('FAILOVER: the active member carries, the other stands by, the switch has plain ports', () => {
    const { bond, layout } = fixture('k3.10-active-backup-ok.txt');
    expect(layout.members.filter((d) => d.isActive).map((d) => d.member.name)).toEqual([bond.activeMember]);
    expect(layout.members.map((d) => d.state).sort()).toEqual(['carrying', 'standby']);
    expect(layout.groups[0]?.lines).toEqual(['Switch', 'plain ports (no LAG)']);
  });

  it('a bond with no members still draws the host and an empty switch side', () => {
    const { bond, layout } = fixture('k6.8-balance-rr.txt');
    expect(layout.members).toEqual([]);
    expect(pictureVerdict(bond, layout)).toBe('bond0 has no member ports.');
    checkLayout(layout);
  });

  it('64 members still lay out without overlap', () => {
    const { bond } = fixture('k4.19-802.3ad-ok.txt');
    const many = { ...bond, members: Array.from({ length: 64 }, (_, i) => ({ ...bond.members[0]!, name: `enp${i}s0f10`, aggregatorId: (i % 5) + 1 })) };
    const layout = layoutBondPicture(many);
    expect(layout.members).toHaveLength(64);
    expect(layout.groups).toHaveLength(5);
    checkLayout(layout);
  });
});
