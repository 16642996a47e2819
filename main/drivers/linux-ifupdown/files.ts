import type { LinuxNetworkFiles } from './config';

// Reads the ifupdown configuration of a Linux host in one command, for the planner's file diff.
// Names in interfaces.d are printed by the shell's glob; each file is framed by markers with a
// per-run nonce so file content cannot fake a frame.

const MAX_FILES = 200;

export function linuxFilesCommand(nonce: string): string {
  if (!/^[A-Za-z0-9]{8,32}$/.test(nonce)) throw new Error('nonce must be 8-32 letters or digits');
  const mark = `#BSFILE-${nonce}`;
  return [
    `if [ -r /etc/network/interfaces ]; then echo '${mark} interfaces'; cat /etc/network/interfaces; echo; fi`,
    `for f in /etc/network/interfaces.d/*; do [ -f "$f" ] || continue; echo "${mark} d/\${f##*/}"; cat "$f"; echo; done`,
    `echo '${mark} end'`,
  ].join('; ');
}

export function parseLinuxFiles(stdout: string, nonce: string): LinuxNetworkFiles | null {
  const mark = `#BSFILE-${nonce} `;
  let interfaces: string | null = null;
  const interfacesD: Record<string, string> = {};
  let current: string | null = null;
  let lines: string[] = [];
  let complete = false;
  const flush = (): void => {
    if (current === null) return;
    // `cat; echo` adds one newline, which joining the lines between the frames takes away again.
    const text = lines.join('\n');
    if (current === 'interfaces') interfaces = text;
    else if (current.startsWith('d/') && Object.keys(interfacesD).length < MAX_FILES) {
      const name = current.slice(2);
      if (/^[A-Za-z0-9_.-]{1,255}$/.test(name)) interfacesD[name] = text;
    }
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith(mark)) {
      flush();
      current = line.slice(mark.length);
      lines = [];
      if (current === 'end') {
        complete = true;
        current = null;
        break;
      }
      continue;
    }
    if (current !== null) lines.push(line);
  }
  return complete ? { interfaces, interfacesD } : null;
}
