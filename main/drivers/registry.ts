import type { DriverKind, HostView } from '../../preload/contract/host-view';
import type { HostFacts, NetworkStack } from '../../preload/contract/inventory';
import type { HostDriver } from './driver';
import { linuxIfupdownDriver } from './linux-ifupdown';
import { networkManagerDriver } from './networkmanager';
import { truenasDriver } from './truenas';

// Every driver Bondsmith has: the one that recognises a host's network stack manages it.
// A new kind of host is a folder beside these and one line here.
const DRIVERS: readonly HostDriver[] = [truenasDriver, linuxIfupdownDriver, networkManagerDriver];

const STACK_NAME: Readonly<Record<NetworkStack['manager'], string>> = {
  'truenas-middleware': 'the TrueNAS middleware',
  netplan: 'netplan',
  networkmanager: 'NetworkManager',
  'systemd-networkd': 'systemd-networkd',
  ifupdown: 'ifupdown',
  unknown: 'a network stack Bondsmith does not recognise',
};

/** The stack in words, for the host screen: "NetworkManager 1.42.4", "netplan (renderer NetworkManager)". */
export function stackLabel(stack: NetworkStack): string {
  const name = STACK_NAME[stack.manager];
  if (stack.manager === 'netplan') return `${name} (renderer ${stack.renderer ?? 'networkd'})`;
  return stack.version ? `${name} ${stack.version}` : name;
}

export function driverForFacts(facts: HostFacts): HostDriver | null {
  return DRIVERS.find((d) => d.recognises(facts)) ?? null;
}

export function driverByKind(kind: DriverKind): HostDriver | null {
  return DRIVERS.find((d) => d.kind === kind) ?? null;
}

/**
 * Why Bondsmith must not change this host, or null when it may (DESIGN.md "Bad input and failures":
 * only through the driver of the stack that really manages it, on a kernel that can build bonds).
 */
export function changeRefusal(facts: HostFacts): string | null {
  const stack = facts.stack;
  const driver = driverForFacts(facts);
  if (driver === null) {
    if (stack.manager === 'netplan') {
      // netplan writes the configuration of its renderer at every boot and `netplan apply`.
      return `This host's network is managed by ${stackLabel(stack)}: its YAML files in /etc/netplan generate ${stack.renderer ?? 'networkd'}'s configuration anew at every boot and at every netplan apply, so a bond made beneath it would be undone. Bondsmith has no driver for netplan yet: it shows the host, its bonds and their health, and changes nothing. To add or change a bond here, edit the bonds: section of the netplan YAML and run netplan apply.`;
    }
    return stack.manager === 'unknown'
      ? 'Bondsmith could not tell which network stack manages this host (no netplan, NetworkManager, systemd-networkd or ifupdown found), so it only shows it and changes nothing.'
      : `This host's network is managed by ${stackLabel(stack)}, and Bondsmith has no driver for it yet: it shows the host and its bonds but changes nothing (files of another tool would be ignored or undone).`;
  }
  const own = driver.changeRefusal?.(facts) ?? null;
  if (own !== null) return own;
  if (stack.bonding === 'missing') return `The kernel of this host (${facts.os.kernel || 'unknown release'}) has no bonding driver, built in or as a module, so no bond can be made here.`;
  return null;
}

/** What the renderer shows about a host, as its driver reads the facts. */
export function describeHost(facts: HostFacts): HostView {
  const driver = driverForFacts(facts);
  return {
    driver: driver ? { kind: driver.kind, label: driver.label } : null,
    stack: stackLabel(facts.stack),
    bonding: facts.stack.bonding,
    readOnlyReason: changeRefusal(facts),
    bonds: facts.bonds.slice(0, 128).map((b) => ({ name: b.name, spec: driver?.specOf(facts, b.name) ?? null })),
    pending: driver ? driver.pendingOnBox(facts).slice(0, 16) : [],
  };
}
