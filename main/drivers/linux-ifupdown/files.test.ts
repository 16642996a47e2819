import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linuxFilesCommand, parseLinuxFiles } from './files';

describe('linux ifupdown files', () => {
  it('parses framed files and ignores a fake frame inside file content', () => {
    const nonce = 'abcDEF123456';
    const out = [
      `#BSFILE-${nonce} interfaces`,
      'auto lo',
      'iface lo inet loopback',
      'source /etc/network/interfaces.d/*',
      '',
      `#BSFILE-${nonce} d/bond0`,
      'auto bond0',
      '#BSFILE-other d/evil',
      '',
      `#BSFILE-${nonce} end`,
    ].join('\n');
    expect(parseLinuxFiles(out, nonce)).toEqual({
      interfaces: 'auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n',
      interfacesD: { bond0: 'auto bond0\n#BSFILE-other d/evil\n' },
    });
  });

  it('returns null for output cut before the end marker', () => {
    expect(parseLinuxFiles('#BSFILE-abcdefgh interfaces\nauto lo\n', 'abcdefgh')).toBeNull();
  });

  it('the command runs in sh and its output parses (against a scratch root via a path rewrite)', () => {
    const root = mkdtempSync(join(tmpdir(), 'bs-ifupdown-'));
    mkdirSync(join(root, 'interfaces.d'));
    writeFileSync(join(root, 'interfaces'), 'auto lo\n');
    writeFileSync(join(root, 'interfaces.d', 'bond1'), "auto bond1\niface bond1 inet manual\n  # it's $(not run)\n");
    const command = linuxFilesCommand('Nonce1234').replaceAll('/etc/network', root);
    const stdout = execFileSync('sh', ['-c', command], { encoding: 'utf8' });
    const files = parseLinuxFiles(stdout, 'Nonce1234');
    expect(files?.interfaces).toBe('auto lo\n');
    expect(files?.interfacesD.bond1).toBe("auto bond1\niface bond1 inet manual\n  # it's $(not run)\n");
  });
});
