import { describe, expect, it } from 'vitest';
import { decodeLacpState, describeLacpState, encodeLacpState, isLacpPortAggregating } from './lacp-state';

describe('decodeLacpState', () => {
  it('decodes 63 as the six bits of a healthy fast port', () => {
    expect(decodeLacpState(63)).toEqual(['lacp_activity', 'lacp_timeout_short', 'aggregation', 'synchronization', 'collecting', 'distributing']);
  });
  it('decodes each bit at its 802.1AX position', () => {
    expect(decodeLacpState(1)).toEqual(['lacp_activity']);
    expect(decodeLacpState(64)).toEqual(['defaulted']);
    expect(decodeLacpState(128)).toEqual(['expired']);
    expect(decodeLacpState(69)).toEqual(['lacp_activity', 'aggregation', 'defaulted']);
  });
  it('returns nothing for out-of-range or fractional values', () => {
    expect(decodeLacpState(-1)).toEqual([]);
    expect(decodeLacpState(256)).toEqual([]);
    expect(decodeLacpState(1.5)).toEqual([]);
  });
  it('round-trips through encodeLacpState for every byte', () => {
    for (let s = 0; s < 256; s++) expect(encodeLacpState(decodeLacpState(s))).toBe(s);
  });
});

describe('describeLacpState', () => {
  it('says 63 in plain words', () => {
    expect(describeLacpState(63)).toBe('active, fast, aggregatable, in sync, collecting, distributing');
  });
  it('names slow, passive, individual and out-of-sync ports', () => {
    expect(describeLacpState(0)).toBe('passive, slow, individual, out of sync');
    expect(describeLacpState(61)).toBe('active, slow, aggregatable, in sync, collecting, distributing');
  });
  it('explains defaulted and expired', () => {
    expect(describeLacpState(69)).toContain('defaulted (no LACPDUs received from the partner)');
    expect(describeLacpState(128 + 5)).toContain('expired');
  });
  it('flags an in-sync port that moves no traffic', () => {
    expect(describeLacpState(15)).toBe('active, fast, aggregatable, in sync, not collecting or distributing');
  });
  it('rejects bad input in words', () => {
    expect(describeLacpState(300)).toBe('invalid LACP state 300');
  });
});

describe('isLacpPortAggregating', () => {
  it('needs sync, collecting and distributing', () => {
    expect(isLacpPortAggregating(61)).toBe(true);
    expect(isLacpPortAggregating(15)).toBe(false);
    expect(isLacpPortAggregating(69)).toBe(false);
  });
});
