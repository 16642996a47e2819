import { describe, expect, it } from 'vitest';
import { dayBound, durationText, isoDay } from './history-words';

describe('history words', () => {
  it('turns a date input day into the bounds of that local day, and back', () => {
    const from = dayBound('2026-12-02', false);
    const to = dayBound('2026-12-02', true);
    expect(from).not.toBeNull();
    expect(Date.parse(to ?? '') - Date.parse(from ?? '')).toBe(24 * 3600_000 - 1);
    expect(isoDay(from)).toBe('2026-12-02');
    expect(isoDay(to)).toBe('2026-12-02');
    expect(dayBound('', false)).toBeNull();
    expect(dayBound('2026-13-45', false)).toBeNull();
  });

  it('says how long a change took', () => {
    expect(durationText(null)).toBe('—');
    expect(durationText(850)).toBe('850 ms');
    expect(durationText(15_300)).toBe('15.3 s');
    expect(durationText(185_000)).toBe('3 min 5 s');
  });
});
