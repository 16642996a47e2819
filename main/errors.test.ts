import { describe, expect, it } from 'vitest';
import { AppFailure, toAppError } from './errors';

describe('toAppError', () => {
  it('passes an AppFailure through as it is', () => {
    expect(toAppError(new AppFailure('KEY_FILE_MISSING', 'No key file at ~/.ssh/id', 'auth.keyPath'))).toEqual({ code: 'KEY_FILE_MISSING', message: 'No key file at ~/.ssh/id', field: 'auth.keyPath' });
  });

  it('keeps the machine\'s absolute paths out of unexpected errors, leaving the file name', () => {
    const err = Object.assign(new Error("EACCES: permission denied, open '/home/ada/.config/Bondsmith/hosts.json'"), { code: 'EACCES' });
    const out = toAppError(err);
    expect(out.code).toBe('INTERNAL');
    expect(out.message).toBe("Unexpected error: EACCES: permission denied, open '…/hosts.json'");
  });

  it('strips several paths, Windows ones and file URLs, but not web addresses or ratios', () => {
    const message = toAppError(
      new Error('ENOENT: no such file or directory, rename /tmp/bs-x/a.tmp-1 -> /tmp/bs-x/a (from C:\\Users\\ada\\AppData\\Roaming\\Bondsmith\\secrets.json, file:///opt/bondsmith/resources/app.asar/main.js:10:3) at http://127.0.0.1:8740/ws 1/2'),
    ).message;
    expect(message).not.toMatch(/\/tmp\/bs-x|ada|AppData|\/opt\//);
    expect(message).toContain('rename …/a.tmp-1 -> …/a (from …\\secrets.json, …/main.js:10:3)');
    expect(message).toContain('http://127.0.0.1:8740/ws 1/2');
  });

  it('takes a quoted path as a whole, spaces included (macOS keeps app data in "Application Support")', () => {
    const message = toAppError(new Error("EACCES: permission denied, open '/Users/Ada Lovelace/Library/Application Support/Bondsmith/hosts.json'")).message;
    expect(message).toBe("Unexpected error: EACCES: permission denied, open '…/hosts.json'");
  });

  it('says something for thrown non-errors too', () => {
    expect(toAppError('boom at /srv/secret/place')).toEqual({ code: 'INTERNAL', message: 'Unexpected error: boom at …/place' });
  });
});
