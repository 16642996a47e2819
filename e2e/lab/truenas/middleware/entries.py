"""`interface.query` entries: top-level keys from the config DB, `state` from the kernel (fact sheet §3)."""
import ipaddress

from .kernel import PROTOCOLS

# Interfaces the real middleware never lists (internal_interfaces), plus kernel pseudo-devices a UML guest has.
INTERNAL_PREFIXES = ('lo', 'tun', 'tap', 'docker', 'veth', 'vnet', 'macvtap', 'wg', 'kube-', 'openvpn',
                     'sit', 'ip6tnl', 'tunl', 'gre', 'erspan', 'ip_vti', 'ip6_vti', 'ip6gre', 'ifb', 'dummy')
CLONED_PREFIXES = ('bond', 'vlan', 'br')
FLAG_ORDER = ('UP', 'BROADCAST', 'DEBUG', 'LOOPBACK', 'POINTOPOINT', 'NOTRAILERS', 'RUNNING', 'NOARP', 'PROMISC',
              'ALLMULTI', 'MASTER', 'SLAVE', 'MULTICAST', 'PORTSEL', 'AUTOMEDIA', 'DYNAMIC', 'LOWER_UP', 'DORMANT',
              'ECHO')


def is_internal(name):
    return name.startswith(INTERNAL_PREFIXES)


def is_cloned(name):
    return name.startswith(CLONED_PREFIXES)


def iface_type(name):
    if name.startswith('bond'):
        return 'LINK_AGGREGATION'
    if name.startswith('vlan'):
        return 'VLAN'
    if name.startswith('br'):
        return 'BRIDGE'
    return 'PHYSICAL'


def db_aliases(db, row):
    """The configured aliases: the first of each family lives in the interfaces row, the rest in network_alias."""
    aliases = []
    if row['int_ipv4address']:
        aliases.append({'type': 'INET', 'address': row['int_ipv4address'], 'netmask': int(row['int_v4netmaskbit'])})
    if row['int_ipv6address']:
        aliases.append({'type': 'INET6', 'address': row['int_ipv6address'], 'netmask': int(row['int_v6netmaskbit'])})
    for a in db.aliases(row['id']):
        if a['alias_v4address']:
            aliases.append({'type': 'INET', 'address': a['alias_v4address'], 'netmask': int(a['alias_v4netmaskbit'])})
        if a['alias_v6address']:
            aliases.append({'type': 'INET6', 'address': a['alias_v6address'], 'netmask': int(a['alias_v6netmaskbit'])})
    return aliases


def _state_aliases(link, release):
    out = []
    for family, kind in (('inet', 'INET'), ('inet6', 'INET6')):
        for a in link['addrs']:
            if a['family'] != family:
                continue
            alias = {'type': kind, 'address': a['address'], 'netmask': a['prefix']}
            if kind == 'INET':
                net = ipaddress.ip_interface(f"{a['address']}/{a['prefix']}").network
                alias['broadcast'] = str(net.broadcast_address)
            out.append(alias)
    if not release.new_state_reader:  # 25.10's reader drops LINK entries (§3)
        out.append({'type': 'LINK', 'address': link['mac']})
    return out


def _flags(link):
    flags = set(link['flags'])
    if 'UP' in flags and 'LOWER_UP' in flags:
        flags.add('RUNNING')
    return [f for f in FLAG_ORDER if f in flags]


def _speed(link):
    try:
        speed = int(link['speed'])
    except (TypeError, ValueError):
        return None
    return speed if speed > 0 else None


def kernel_state(link, release):
    name = link['name']
    speed = _speed(link)
    port = 'Other' if link['bond'] else 'Twisted Pair'
    media = f'{speed}Mb/s {port}' if speed else 'Unknown'
    state = {
        'name': name, 'orig_name': name, 'description': name, 'mtu': link['mtu'], 'cloned': is_cloned(name),
        'flags': _flags(link), 'nd6_flags': [], 'capabilities': [],
        'link_state': f"LINK_STATE_{link['operstate'].upper()}",
        'media_type': 'Ethernet', 'media_subtype': media, 'active_media_type': 'Ethernet',
        'active_media_subtype': media, 'supported_media': [], 'media_options': None,
        'link_address': link['mac'],
    }
    if release.has_permanent_link_address:
        # A bond member's own MAC survives in permanent/hardware_link_address (§3); a bond has no permanent one.
        permanent = None if link['bond'] else (link['perm_mac'] or link['mac'])
        state['permanent_link_address'] = permanent
        state['hardware_link_address'] = permanent or link['mac']
    state.update({'rx_queues': link['rx_queues'], 'tx_queues': link['tx_queues'],
                  'aliases': _state_aliases(link, release), 'vrrp_config': None})
    bond = link['bond']
    if bond:
        protocol = PROTOCOLS.get(bond['mode'])
        hashed = protocol in ('LACP', 'LOADBALANCE') or release.new_state_reader
        state.update({
            'protocol': protocol,
            'ports': [{'name': s, 'flags': []} for s in bond['slaves']],
            'xmit_hash_policy': bond['xmit_hash_policy'] if hashed else None,
            'lacpdu_rate': bond['lacp_rate'] if protocol == 'LACP' else None,
        })
    return state


def fake_state(name, release):
    # A bond that exists only in the DB: placeholder state (§3 "Fake entries").
    state = {
        'name': name, 'orig_name': name, 'description': name, 'mtu': 1500, 'cloned': True, 'flags': [],
        'nd6_flags': [], 'capabilities': [], 'link_state': '', 'media_type': '', 'media_subtype': '',
        'active_media_type': '', 'active_media_subtype': '', 'supported_media': [], 'media_options': None,
        'link_address': '',
    }
    if release.has_permanent_link_address:
        state.update({'permanent_link_address': None, 'hardware_link_address': ''})
    state.update({'rx_queues': 1, 'tx_queues': 1, 'aliases': [], 'vrrp_config': None})
    return state


def query_entries(db, kernel, release):
    links = kernel.links()
    rows = {r['int_interface']: r for r in db.interfaces()}
    laggs = {lg['name']: lg for lg in db.laggs()}
    entries = []
    for name, link in links.items():
        if is_internal(name) or (is_cloned(name) and name not in rows):
            continue
        entries.append(_entry(db, release, name, kernel_state(link, release), rows, laggs, fake=False))
    for name in rows:
        if name not in links and is_cloned(name):
            entries.append(_entry(db, release, name, fake_state(name, release), rows, laggs, fake=True))
    return entries


def _entry(db, release, name, state, rows, laggs, fake):
    row = rows.get(name)
    itype = iface_type(name)
    entry = {'id': name, 'name': name, 'fake': fake, 'type': itype, 'state': state}
    if row:
        entry.update({'aliases': db_aliases(db, row), 'ipv4_dhcp': bool(row['int_dhcp']),
                      'ipv6_auto': bool(row['int_ipv6auto']), 'description': row['int_name'] or '',
                      'mtu': row['int_mtu']})
    else:
        # With no row, the DHCP flags are true only on a fresh install, i.e. an empty interfaces table (§3).
        entry.update({'aliases': [], 'ipv4_dhcp': not rows, 'ipv6_auto': not rows, 'description': '', 'mtu': None})
    lagg = laggs.get(name)
    if itype == 'LINK_AGGREGATION' and lagg:
        protocol = lagg['lagg_protocol'].upper()
        entry['lag_protocol'] = protocol
        entry['lag_ports'] = db.lagg_members(lagg['id'])
        if protocol in ('LACP', 'LOADBALANCE'):
            entry['xmit_hash_policy'] = (lagg['lagg_xmit_hash_policy'] or '').upper() or None
        if protocol == 'LACP':
            entry['lacpdu_rate'] = (lagg['lagg_lacpdu_rate'] or '').upper() or None
    elif release.strict_schemas:
        entry['lag_ports'] = []  # the 25.10 model defaults it (§3 "Physical NIC entry")
    return entry
