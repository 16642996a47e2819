import { describe, expect, it } from 'vitest';
import { argNamesLab } from './lab-network';

// Labs run side by side (parallel test files, Playwright workers): taking one down must find its own
// processes only, never those of a lab whose name merely starts with the same letters.
describe('which processes belong to a lab', () => {
  const netns = 'bondsmith-e2e';

  it("names its guests' umids, its namespace as a word and its forwarders", () => {
    expect(argNamesLab('umid=bondsmith-e2e-nas1', netns)).toBe(true);
    expect(argNamesLab('umid=bondsmith-e2e-nas12', netns)).toBe(true);
    expect(argNamesLab('bondsmith-e2e', netns)).toBe(true);
    expect(argNamesLab('EXEC:ip netns exec bondsmith-e2e socat - TCP:198.51.100.11:22', netns)).toBe(true);
  });

  it('does not name the processes of a lab whose name only starts the same', () => {
    expect(argNamesLab('umid=bondsmith-e2e-w1-nas1', netns)).toBe(false);
    expect(argNamesLab('umid=bondsmith-e2e-nm-nas2', netns)).toBe(false);
    expect(argNamesLab('EXEC:ip netns exec bondsmith-e2e-w1 socat - TCP:198.51.100.11:22', netns)).toBe(false);
    expect(argNamesLab('bondsmith-e2e-nm', netns)).toBe(false);
    expect(argNamesLab('uml_dir=/tmp/bondsmith-lab-e2e-w1/uml', netns)).toBe(false);
  });
});
