"""interface.create / update / delete and their validation (fact sheet §2, §4).

Edits write the config DB at once; the caller takes the in-memory snapshot first (§5.1).
"""
import errno
import ipaddress
import re
import sqlite3

from .errors import CallError, ValidationErrors
from .schema import INTERFACE_CREATE, INTERFACE_UPDATE, validate_dict

SUPPORTED_PROTOCOLS = ['LACP', 'FAILOVER', 'LOADBALANCE']  # lag_supported_protocols, the same in every version
MEMBER_LOCKED = (  # editing a bond member: (field, label) -> "Interface in use by bondN. <label> cannot be changed."
    ('aliases', 'Active node IP address'), ('mtu', 'MTU'), ('ipv4_dhcp', 'DHCP'), ('ipv6_auto', 'Autoconfig for IPv6'),
)


class RawDatabaseError(Exception):
    """A DB constraint failure surfacing unwrapped, as it does on the real box (§4 duplicate lag_ports)."""


def common_validation(mw, verrors, schema, data, itype, update=None):
    ifaces = {i['name']: i for i in mw.query_all() if not update or i['id'] != update['id']}
    rows = {r['int_interface']: r for r in mw.db.interfaces() if not update or r['int_interface'] != update['id']}

    if 'name' in data and data['name'] in ifaces:
        verrors.add(f'{schema}.name', 'Interface name is already in use.')
    if data.get('ipv4_dhcp') and any(r['int_dhcp'] and not ifaces.get(n, {}).get('fake') for n, r in rows.items()):
        verrors.add(f'{schema}.ipv4_dhcp', 'Only one interface can be used for DHCP.')
    if data.get('ipv6_auto') and any(r['int_ipv6auto'] and not ifaces.get(n, {}).get('fake') for n, r in rows.items()):
        verrors.add(f'{schema}.ipv6_auto', 'Only one interface can have IPv6 autoconfiguration enabled.')

    for i, alias in enumerate(data.get('aliases') or []):
        network = ipaddress.ip_network(f"{alias['address']}/{alias['netmask']}", strict=False)
        family = 'INET' if network.version == 4 else 'INET6'
        for other in ifaces.values():
            if any(a['type'] == family and ipaddress.ip_network(f"{a['address']}/{a['netmask']}", strict=False)
                   .overlaps(network) for a in other['aliases']):
                verrors.add(f'{schema}.aliases.{i}', f'The network {network} is already in use by another interface.')
                break
    if any(a.get('type') == 'INET6' for a in data.get('aliases') or []) and data.get('mtu') and data['mtu'] < 1280:
        verrors.add(f'{schema}.mtu', 'When IPv6 is enabled, MTU must be greater than or equal to 1280.')

    lag_used = {p: n for n, i in ifaces.items() if i['type'] == 'LINK_AGGREGATION' for p in i.get('lag_ports', [])}
    if itype == 'PHYSICAL' and data.get('name') in lag_used:
        for field, label in MEMBER_LOCKED:
            if data.get(field):
                verrors.add(f'{schema}.{field}', f'Interface in use by {lag_used[data["name"]]}. {label} cannot be changed.')
    elif itype == 'LINK_AGGREGATION':
        if 'name' in data and not re.fullmatch(r'bond\d+', data['name'] or ''):
            verrors.add(f'{schema}.name', 'Link aggregation interface must start with "bond" followed by an unique number.')
        protocol = data.get('lag_protocol')
        if not protocol:
            verrors.add(f'{schema}.lag_protocol', 'This field is required')
        elif protocol not in SUPPORTED_PROTOCOLS:
            verrors.add(f'{schema}.lag_protocol', f'TrueNAS SCALE does not support LAG protocol {protocol}')
        ports = data.get('lag_ports') or []
        if not ports:
            verrors.add(f'{schema}.lag_ports', 'This field cannot be empty.')
        for i, member in enumerate(ports):
            if member not in ifaces:
                verrors.add(f'{schema}.lag_ports.{i}', f'"{member}" is not a valid interface.')
            elif member in lag_used:
                verrors.add(f'{schema}.lag_ports.{i}', f'Interface {member} is currently in use by {lag_used[member]}.')
            elif mw.release.rejects_configured_members and member in rows:
                verrors.add(f'{schema}.lag_ports.{i}', f'Interface {member} is currently in use')
    for field in ('failover_critical', 'failover_group', 'failover_vhid', 'failover_aliases', 'failover_virtual_aliases'):
        data.pop(field, None)  # not failover.licensed: silently dropped (§2)


def _address_columns(data):
    """Split aliases between the interfaces row and network_alias, as the real datastore does."""
    row = {'int_ipv4address': '', 'int_v4netmaskbit': '', 'int_ipv6address': '', 'int_v6netmaskbit': ''}
    extra = []
    for alias in data.get('aliases') or []:
        v4 = ipaddress.ip_address(alias['address']).version == 4
        addr_col, mask_col = ('int_ipv4address', 'int_v4netmaskbit') if v4 else ('int_ipv6address', 'int_v6netmaskbit')
        auto = data.get('ipv4_dhcp') if v4 else data.get('ipv6_auto')
        if not row[addr_col] and not auto:
            row[addr_col], row[mask_col] = alias['address'], str(alias['netmask'])
        else:
            extra.append((alias['address'], str(alias['netmask']), v4))
    return row, extra


def _write_interface(conn, row_id, name, data):
    cols, extra = _address_columns(data)
    cols.update({'int_interface': name, 'int_name': data.get('description') or '', 'int_dhcp': int(bool(data.get('ipv4_dhcp'))),
                 'int_ipv6auto': int(bool(data.get('ipv6_auto'))), 'int_mtu': data.get('mtu') or None})
    if row_id is None:
        row_id = conn.execute(f"INSERT INTO network_interfaces ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                              tuple(cols.values())).lastrowid
    else:
        conn.execute(f"UPDATE network_interfaces SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?",
                     (*cols.values(), row_id))
        conn.execute('DELETE FROM network_alias WHERE alias_interface_id = ?', (row_id,))
    for address, mask, v4 in extra:
        cols = ('alias_v4address', 'alias_v4netmaskbit') if v4 else ('alias_v6address', 'alias_v6netmaskbit')
        conn.execute(f'INSERT INTO network_alias (alias_interface_id, {cols[0]}, {cols[1]}) VALUES (?, ?, ?)',
                     (row_id, address, mask))
    return row_id


def _write_lag_ports(mw, conn, lag_id, ports):
    conn.execute('DELETE FROM network_lagginterfacemembers WHERE lagg_interfacegroup_id = ?', (lag_id,))
    for idx, port in enumerate(ports):
        conn.execute('INSERT INTO network_lagginterfacemembers (lagg_interfacegroup_id, lagg_ordernum, lagg_physnic) '
                     'VALUES (?, ?, ?)', (lag_id, idx, port))
        if not mw.release.rejects_configured_members:
            # Before 23.10.2 a configured member was accepted and its config wiped, the row kept blank (§4).
            conn.execute("UPDATE network_interfaces SET int_dhcp = 0, int_ipv4address = '', int_v4netmaskbit = '', "
                         "int_ipv6auto = 0, int_ipv6address = '', int_v6netmaskbit = '', int_mtu = NULL "
                         "WHERE int_interface = ?", (port,))
            conn.execute('DELETE FROM network_alias WHERE alias_interface_id IN '
                         '(SELECT id FROM network_interfaces WHERE int_interface = ?)', (port,))


def _lag_options(protocol, xmit, rate):
    protocol = protocol.lower()
    stored_xmit = stored_rate = None
    if protocol in ('lacp', 'loadbalance'):
        stored_xmit = xmit.lower() if xmit else 'layer2+3'  # the middleware's default, not the kernel's layer2
        if protocol == 'lacp':
            stored_rate = rate.lower() if rate else 'slow'
    return protocol, stored_xmit, stored_rate


def _next_bond_name(db):
    used = {r['int_interface'] for r in db.interfaces()}
    n = 0
    while f'bond{n}' in used:
        n += 1
    return f'bond{n}'


def _db_write(fn):
    try:
        fn()
    except sqlite3.IntegrityError as e:
        raise RawDatabaseError(f'(sqlite3.IntegrityError) {e}') from e


def do_create(mw, data):
    data = validate_dict(mw.release, data, INTERFACE_CREATE, 'interface_create', 'data')
    if data['type'] != 'LINK_AGGREGATION':
        raise CallError('This TrueNAS test double implements LINK_AGGREGATION interfaces only.', errno.ENOTSUP)
    verrors = ValidationErrors()
    common_validation(mw, verrors, 'interface_create', data, data['type'])
    verrors.check()
    mw.save_snapshot()
    name = data.get('name') or _next_bond_name(mw.db)

    def write():
        with mw.db.transaction() as conn:
            row_id = _write_interface(conn, None, name, data)
            protocol, xmit, rate = _lag_options(data['lag_protocol'], data.get('xmit_hash_policy'), data.get('lacpdu_rate'))
            lag_id = conn.execute('INSERT INTO network_lagginterface (lagg_interface_id, lagg_protocol, '
                                  'lagg_xmit_hash_policy, lagg_lacpdu_rate) VALUES (?, ?, ?, ?)',
                                  (row_id, protocol, xmit, rate)).lastrowid
            _write_lag_ports(mw, conn, lag_id, data['lag_ports'])
    _db_write(write)
    return mw.get_instance(name)


def do_update(mw, oid, data):
    data = validate_dict(mw.release, data, INTERFACE_UPDATE, 'interface_update', 'data', update=True)
    iface = mw.get_instance(oid)
    new = dict(iface)
    new.update(data)
    verrors = ValidationErrors()
    common_validation(mw, verrors, 'interface_update', new, iface['type'], update=iface)
    verrors.check()
    mw.save_snapshot()

    def write():
        with mw.db.transaction() as conn:
            row = conn.execute('SELECT id FROM network_interfaces WHERE int_interface = ?', (oid,)).fetchone()
            row_id = _write_interface(conn, row['id'] if row else None, new['name'], new)
            if iface['type'] == 'LINK_AGGREGATION':
                protocol, xmit, rate = _lag_options(new['lag_protocol'], new.get('xmit_hash_policy'), new.get('lacpdu_rate'))
                conn.execute('UPDATE network_lagginterface SET lagg_protocol = ?, lagg_xmit_hash_policy = ?, '
                             'lagg_lacpdu_rate = ? WHERE lagg_interface_id = ?', (protocol, xmit, rate, row_id))
                if 'lag_ports' in data:
                    lag_id = conn.execute('SELECT id FROM network_lagginterface WHERE lagg_interface_id = ?',
                                          (row_id,)).fetchone()['id']
                    _write_lag_ports(mw, conn, lag_id, data['lag_ports'])
    _db_write(write)
    return mw.get_instance(new['name'])


def do_delete(mw, oid):
    mw.get_instance(oid)
    mw.save_snapshot()
    with mw.db.transaction() as conn:
        _delete_network_interface(conn, oid)
    return oid


def _delete_network_interface(conn, name):
    # Deleting a bond also deletes its members' rows (§1 interface.delete).
    for lagg in conn.execute('SELECT l.id FROM network_lagginterface l JOIN network_interfaces i '
                             'ON i.id = l.lagg_interface_id WHERE i.int_interface = ?', (name,)).fetchall():
        members = conn.execute('SELECT lagg_physnic FROM network_lagginterfacemembers WHERE lagg_interfacegroup_id = ?',
                               (lagg['id'],)).fetchall()
        for m in members:
            _delete_network_interface(conn, m['lagg_physnic'])
        conn.execute('DELETE FROM network_lagginterface WHERE id = ?', (lagg['id'],))
    conn.execute('DELETE FROM network_interfaces WHERE int_interface = ?', (name,))


def choices(mw, options):
    interfaces = mw.query_all()
    result = {}
    for i in interfaces:
        result[i['name']] = f"{i['name']}: {i['description']}" if i['description'] and i['description'] != i['name'] else i['name']
    for i in interfaces:
        if any(i['name'].startswith(x) for x in options['exclude']) or i['type'] in options['exclude_types']:
            result.pop(i['name'], None)
        if not options['lag_ports'] and i['type'] == 'LINK_AGGREGATION':
            for port in i.get('lag_ports', []):
                if port not in options['include']:
                    result.pop(port, None)
    return result


def lag_ports_choices(mw, oid):
    include = []
    lag = [i for i in mw.query_all() if i['type'] == 'LINK_AGGREGATION' and i['id'] == oid]
    if lag:
        include = lag[0]['lag_ports']
    result = choices(mw, {'bridge_members': False, 'lag_ports': False, 'vlan_parent': True, 'exclude': ['epair', 'tap', 'vnet'],
                          'exclude_types': ['VLAN', 'BRIDGE'], 'include': include})
    if mw.release.rejects_configured_members:
        # 23.10.2+: physical NICs with any DB row are hidden (§1 lag_ports_choices).
        rows = {r['int_interface'] for r in mw.db.interfaces()}
        for name in list(result):
            if name in rows and not name.startswith('bond') and name not in include:
                result.pop(name)
    if oid is not None:
        result.pop(oid, None)
    return {k: k for k in result}
