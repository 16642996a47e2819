import type { Reply, Rule } from './service-world';

// Test support only: what a healthy plain Linux (ifupdown) box answers to the commands of a real
// plan for bond0 over eno2+eno3 (matched by substring, in FakeBox's order), for the service tests.

const PROC_BOND0 = [
  'Ethernet Channel Bonding Driver: v6.1.0',
  '',
  'Bonding Mode: IEEE 802.3ad Dynamic link aggregation',
  'Transmit Hash Policy: layer2+3 (2)',
  'MII Status: up',
  'MII Polling Interval (ms): 100',
  'Up Delay (ms): 0',
  'Down Delay (ms): 0',
  '',
  '802.3ad info',
  'LACP rate: slow',
  '',
  'Slave Interface: eno2',
  'MII Status: up',
  'Speed: 1000 Mbps',
  'Duplex: full',
  '',
  'Slave Interface: eno3',
  'MII Status: up',
  'Speed: 1000 Mbps',
  'Duplex: full',
  '',
].join('\n');
const IP_BOND0 = JSON.stringify([{ ifname: 'bond0', mtu: 1500, addr_info: [{ family: 'inet', local: '203.0.113.10', prefixlen: 24, scope: 'global' }] }]);
export const KERNEL_OK = `${PROC_BOND0}\n--bondsmith-ip--\n${IP_BOND0}`;

/** The commands of a Linux ifupdown plan, each answered as a healthy box answers it. */
export function linuxBox(over: { readState?: Reply } = {}): Rule[] {
  return [
    {
      // readExtras: the ifupdown files, framed with the nonce the command carries.
      match: '#BSFILE-',
      reply: (command) => {
        const nonce = /#BSFILE-([A-Za-z0-9]+)/.exec(command)?.[1] ?? '';
        return { stdout: `#BSFILE-${nonce} interfaces\nsource /etc/network/interfaces.d/*\n\n#BSFILE-${nonce} end\n` };
      },
    },
    // The three file-write steps (their content holds words the later rules look for, so they come first).
    { match: 'umask 077 && printf', reply: {} },
    { match: 'another change is still pending', reply: {} },
    { match: 'ip -d addr show', reply: {} },
    { match: /touch \/run\/bondsmith\/[A-Za-z0-9_-]+\/armed/, reply: { stdout: 'armed 4242' } },
    { match: 'apply.sh > ', reply: {} },
    { match: 'apply.rc', reply: { stdout: '0' } },
    { match: '--bondsmith-ip--', reply: over.readState ?? { stdout: KERNEL_OK } },
    { match: 'echo confirmed', reply: { stdout: 'confirmed' } },
    { match: 'echo restored', reply: { stdout: 'restored' } },
  ];
}
