import { describe, expect, it } from 'vitest';
import { bondSpecSchema, channels, defaultBondSpec, envelopeSchema, hostInputSchema, hostSchema, isChannelName } from '../contract';

const goodHost = { label: 'nas1', address: '198.51.100.11', port: 22, user: 'admin', auth: { kind: 'agent' }, jumpHostId: null, tags: ['lab'], useSudo: true };

describe('contract: hosts', () => {
  it('round-trips a host input through JSON unchanged', () => {
    const parsed = hostInputSchema.parse(JSON.parse(JSON.stringify(goodHost)));
    expect(parsed).toEqual(goodHost);
  });

  it.each([
    ['address', { address: '' }, 'Address is required'],
    ['port', { port: 0 }, 'Port must be between 1 and 65535'],
    ['port', { port: 65536 }, 'Port must be between 1 and 65535'],
    ['label', { label: 'x'.repeat(65) }, 'Label has at most 64 characters'],
    ['user', { user: 'bad user' }, 'User names have no spaces and start with a letter or "_"'],
    ['address', { address: 'a b' }, 'Address is a host name or an IP address, without spaces'],
  ])('rejects a bad %s with a message for that field', (field, patch, message) => {
    const result = hostInputSchema.safeParse({ ...goodHost, ...patch });
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path.join('.')).toBe(field);
    expect(issue?.message).toBe(message);
  });

  it('never carries a secret in the stored/sent host shape', () => {
    const withSecret = hostSchema.safeParse({ ...goodHost, id: 'abc', auth: { kind: 'password', password: 'hunter2' }, hasSecret: true });
    expect(withSecret.success).toBe(true);
    expect(JSON.stringify(withSecret.data)).not.toContain('hunter2');
  });
});

describe('contract: envelopes and channels', () => {
  it('parses both envelope forms and rejects a mixed one', () => {
    const schema = envelopeSchema(channels['hosts.remove'].response);
    expect(schema.parse({ ok: true, value: { id: 'a1' } })).toEqual({ ok: true, value: { id: 'a1' } });
    expect(schema.parse({ ok: false, error: { code: 'INVALID', message: 'no', field: 'port' } }).ok).toBe(false);
    expect(schema.safeParse({ ok: true, error: { code: 'X', message: 'y' } }).success).toBe(false);
  });

  it('knows its channel names and nothing else', () => {
    expect(isChannelName('hosts.add')).toBe(true);
    expect(isChannelName('toString')).toBe(false);
    expect(isChannelName('__proto__')).toBe(false);
    expect(isChannelName(42)).toBe(false);
  });

  it('rejects extra keys on strict requests', () => {
    expect(channels['hosts.remove'].request.safeParse({ id: 'a', extra: 1 }).success).toBe(false);
  });
});

describe('contract: bond spec', () => {
  const spec = { ...defaultBondSpec('bond1'), members: ['eno1', 'eno2'] };
  const issues = (patch: object) => bondSpecSchema.safeParse({ ...spec, ...patch }).error?.issues.map((i) => [i.path.join('.'), i.message]) ?? [];

  it('accepts the defaults with members, and round-trips through JSON', () => {
    expect(bondSpecSchema.parse(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it.each([
    [{ name: 'eth0' }, 'name', 'Name must be "bond" followed by a number, for example bond0'],
    [{ members: [] }, 'members', 'Choose at least one member interface'],
    [{ members: ['eno1', 'eno1'] }, 'members.1', 'eno1 is listed twice'],
    [{ protocol: 'FAILOVER', lacpduRate: null }, 'xmitHashPolicy', 'Transmit hash policy applies to LACP and LOADBALANCE only'],
    [{ protocol: 'LOADBALANCE' }, 'lacpduRate', 'LACPDU rate applies to LACP only'],
    [{ mtu: 67 }, 'mtu', 'MTU must be between 68 and 9216'],
    [{ mtu: 9217 }, 'mtu', 'MTU must be between 68 and 9216'],
    [{ description: 'x'.repeat(121) }, 'description', 'Description has at most 120 characters'],
    [{ description: 'line1\nline2' }, 'description', 'Description must be a single line without control characters'],
    [{ aliases: [{ address: '192.0.2.300', prefix: 24 }] }, 'aliases.0.address', '"192.0.2.300" is not an IPv4 or IPv6 address'],
    [{ aliases: [{ address: '192.0.2.10', prefix: 33 }] }, 'aliases.0.prefix', 'Prefix length must be between 1 and 32'],
    [{ aliases: [{ address: '2001:db8::1', prefix: 129 }] }, 'aliases.0.prefix', 'Prefix length must be between 1 and 128'],
    [{ aliases: [{ address: '2001:db8::1', prefix: 64 }, { address: '2001:DB8:0::1', prefix: 64 }] }, 'aliases.1.address', '2001:DB8:0::1 is listed twice'],
  ])('rejects %j at %s', (patch, field, message) => {
    expect(issues(patch)).toContainEqual([field, message]);
  });

  it.each([
    ['a C1 control (U+0085, next line)', 'a\u0085b'],
    ['a C1 control (U+009B, CSI)', 'a\u009B2Jb'],
    ['a line separator (U+2028)', 'a\u2028b'],
    ['a paragraph separator (U+2029)', 'a\u2029b'],
  ])('refuses %s in the description as a line break or control character', (_what, description) => {
    expect(issues({ description })).toContainEqual(['description', 'Description must be a single line without control characters']);
  });

  it.each([
    ['a right-to-left override (U+202E)', 'invoice\u202Etxt.exe', 'U+202E'],
    ['a bidi isolate (U+2066)', 'a\u2066b', 'U+2066'],
    ['a zero-width space (U+200B)', 'bo\u200Bnd', 'U+200B'],
    ['a zero-width joiner (U+200D)', 'a\u200Db', 'U+200D'],
    ['a byte order mark (U+FEFF)', '\uFEFFstorage', 'U+FEFF'],
    ['a soft hyphen (U+00AD)', 'stor\u00ADage', 'U+00AD'],
  ])('refuses %s in the description, naming it', (_what, description, code) => {
    expect(issues({ description })).toContainEqual(['description', `Description must not contain invisible or text-direction characters (${code})`]);
  });

  it('accepts shell metacharacters and Unicode in the description (they are never interpolated)', () => {
    const description = `it's $(reboot) \`id\` "quoted" — Ünïcødé ✓`;
    expect(bondSpecSchema.parse({ ...spec, description }).description).toBe(description);
  });
});
