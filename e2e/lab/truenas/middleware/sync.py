"""interface.sync: apply the config DB to the guest kernel, in the real order (fact sheet §5.2).

bonds (lag_setup) -> address/MTU per DB interface -> DHCP clients -> unconfigure every NIC not in the
DB -> default route. Errors are logged, never raised to the caller, as on the real box (§4).
"""
import logging

from .entries import db_aliases, is_cloned, is_internal
from .kernel import MODES

log = logging.getLogger('middlewared.sync')


def _try(what, fn, *args):
    try:
        fn(*args)
    except Exception:
        log.exception('%s failed', what)


def sync(mw):
    db, kernel, release = mw.db, mw.kernel, mw.release
    rows = db.interfaces()
    names = [r['int_interface'] for r in rows]
    parents = []
    for lagg in db.laggs():
        members = db.lagg_members(lagg['id'])
        _try(f"lag_setup {lagg['name']}", lag_setup, kernel, release, lagg, members)
        parents += members

    links = kernel.links()
    for row in rows:
        if row['int_interface'] in parents:
            _try(f"up {row['int_interface']}", _up, kernel, links.get(row['int_interface']))
            continue
        _try(f"configure {row['int_interface']}", sync_interface, db, kernel, links, row)

    # One DHCP client per DHCP interface; a client whose interface is no longer on DHCP (or gone) stops.
    dhcp = {r['int_interface'] for r in rows if r['int_dhcp'] and r['int_interface'] not in parents}
    running = set(kernel.dhcp_clients())
    for name in sorted(running - dhcp):
        _try(f'stop dhcp {name}', kernel.stop_dhcp, name)
    for name in sorted(dhcp - running):
        _try(f'start dhcp {name}', kernel.start_dhcp, name)

    # Destroy stray cloned interfaces first, so their members are free before they are unconfigured.
    for name in kernel.links():
        if is_cloned(name) and not is_internal(name) and name not in names:
            _try(f'destroy {name}', kernel.delete_link, name)
    for name, link in kernel.links().items():
        if is_internal(name) or is_cloned(name) or name in names or name in parents:
            continue
        if not names:
            # A fresh box (no rows) runs DHCP on every NIC. The lab has no DHCP server, so the double
            # plays "the lease came back": the NIC keeps what it has (see README).
            log.info('no interfaces in the DB: %s would run DHCP; left as it is', name)
            continue
        _try(f'unconfigure {name}', _unconfigure, kernel, name, link)

    gateway = db.global_config()['gc_ipv4gateway']
    current = kernel.default_gateway()
    if gateway and gateway != current:
        _try('default route', kernel.replace_default_route, gateway)
    elif not gateway and current:
        _try('remove default route', kernel.delete_default_route)


def _up(kernel, link):
    # Skipping no-op commands keeps a sync fast: each `ip` costs a process start in the guest.
    if link and 'UP' not in link['flags']:
        kernel.set_up(link['name'])


def _unconfigure(kernel, name, link):
    if link['master']:
        kernel.release(name)
    if link['addrs']:
        kernel.flush(name)
    if 'UP' in link['flags']:
        kernel.set_up(name, False)


def lag_setup(kernel, release, lagg, members):
    name = lagg['name']
    mode = MODES[lagg['lagg_protocol'].upper()]
    options = {}
    if mode in ('802.3ad', 'balance-xor') and lagg['lagg_xmit_hash_policy']:
        options['xmit_hash_policy'] = lagg['lagg_xmit_hash_policy']
    if mode == '802.3ad' and lagg['lagg_lacpdu_rate']:
        options['lacp_rate'] = lagg['lagg_lacpdu_rate']
    links = kernel.links()
    link = links.get(name)
    if link and link['bond']:
        bond = link['bond']
        # A new mode or a new first port (whose MAC the bond carries) means destroy and recreate (§4).
        if bond['mode'] != mode or (members and bond['slaves'] and bond['slaves'][0] != members[0]):
            kernel.delete_link(name)
            link = None
        else:
            changed = {k: v for k, v in options.items() if bond.get(k) != v}
            if changed:
                for slave in bond['slaves']:
                    kernel.release(slave)
                kernel.set_up(name, False)
                kernel.set_bond_options(name, changed)
    elif link:
        kernel.delete_link(name)
        link = None
    if not link:
        kernel.create_bond(name, mode, options)
    links = kernel.links()
    bond = links[name]['bond']
    if release.forces_miimon and not bond['miimon']:
        kernel.set_bond_options(name, {'miimon': 100})  # NAS-136978, 25.10.2.2+ (§2)
    stale = [slave for slave in bond['slaves'] if slave not in members]
    for slave in stale:
        kernel.release(slave)
    if stale:
        links = kernel.links()
    for member in members:
        link = links.get(member)
        if not link:
            log.error('LAG %s: member %s does not exist', name, member)
            continue
        if link['master'] == name:
            _up(kernel, link)
            continue
        if link['master']:
            kernel.release(member)
        if link['addrs']:
            kernel.flush(member)
        kernel.enslave(name, member)  # in list order: the first member gives the bond its MAC
        kernel.set_up(member)
    _up(kernel, links[name])


def sync_interface(db, kernel, links, row):
    name = row['int_interface']
    link = links.get(name)
    if not link:
        log.warning('%s is in the DB but not in the kernel', name)
        return
    if link['master']:
        # Still a port of a bond that left the DB (a rolled-back bond, say): the NIC's own config comes
        # back (fact sheet §5.3), so it is freed first. Releasing closes the port; it is raised below.
        kernel.release(name)
        link = kernel.links().get(name) or link
    wanted = {(a['address'], a['netmask']): 'inet' if a['type'] == 'INET' else 'inet6' for a in db_aliases(db, row)}
    # On DHCP the lease is the client's (dynamic): sync leaves it alone.
    current = {(a['address'], a['prefix']) for a in link['addrs']
               if (a['family'] == 'inet' or (a['family'] == 'inet6' and not a['address'].lower().startswith('fe80')))
               and not (row['int_dhcp'] and a.get('dynamic'))}
    for address, prefix in current - set(wanted):
        kernel.addr_del(name, address, prefix)
    for (address, prefix), family in wanted.items():
        if (address, prefix) not in current:
            kernel.addr_add(name, address, prefix, family)
    mtu = row['int_mtu'] or 1500  # null means 1500 at sync (§2)
    if link['mtu'] != mtu:
        kernel.set_mtu(name, mtu)
    _up(kernel, link)
