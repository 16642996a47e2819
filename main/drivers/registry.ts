import type { DriverKind, HostView } from '../../preload/contract/host-view';
import type { HostFacts } from '../../preload/contract/inventory';
import type { HostDriver } from './driver';
import { linuxIfupdownDriver } from './linux-ifupdown';
import { truenasDriver } from './truenas';

// Every driver Bondsmith has, most specific first: the first that recognises a host manages it.
// A new kind of host is a folder beside these and one line here.
const DRIVERS: readonly HostDriver[] = [truenasDriver, linuxIfupdownDriver];

export function driverForFacts(facts: HostFacts): HostDriver | null {
  return DRIVERS.find((d) => d.recognises(facts)) ?? null;
}

export function driverByKind(kind: DriverKind): HostDriver | null {
  return DRIVERS.find((d) => d.kind === kind) ?? null;
}

/** What the renderer shows about a host, as its driver reads the facts. */
export function describeHost(facts: HostFacts): HostView {
  const driver = driverForFacts(facts);
  return {
    driver: driver ? { kind: driver.kind, label: driver.label } : null,
    readOnlyReason: driver ? null : 'Bondsmith has no driver for the network stack of this host, so it only shows it.',
    bonds: facts.bonds.slice(0, 128).map((b) => ({ name: b.name, spec: driver?.specOf(facts, b.name) ?? null })),
    pending: driver ? driver.pendingOnBox(facts).slice(0, 16) : [],
  };
}
