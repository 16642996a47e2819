import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

// Reading a file the user named (an ssh config, an Include, a key path) without trusting what the
// path leads to: /dev/zero never ends, a FIFO blocks until someone writes, a directory is not text.
// Open first and look at what was opened (no window between a stat and the read), non-blocking so
// a FIFO does not hang the open, and never read more than the limit.

export type BoundedRead =
  | { readonly ok: true; readonly data: Buffer }
  | { readonly ok: false; readonly reason: 'missing' | 'not-regular' | 'too-large' | 'unreadable'; readonly code: string | null };

export async function readRegularFile(path: string, maxBytes: number): Promise<BoundedRead> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? null;
    return { ok: false, reason: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : code === 'EISDIR' ? 'not-regular' : 'unreadable', code };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, reason: 'not-regular', code: null };
    if (info.size > maxBytes) return { ok: false, reason: 'too-large', code: null };
    // The file may grow after the stat: read one byte past the limit to notice.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return { ok: false, reason: 'too-large', code: null };
    }
    return { ok: true, data: buffer.subarray(0, length) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? null;
    return { ok: false, reason: code === 'EISDIR' ? 'not-regular' : 'unreadable', code };
  } finally {
    await handle.close();
  }
}

/** "64 KiB", "1 MiB": limits as messages say them. */
export function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}
