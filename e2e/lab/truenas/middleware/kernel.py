"""The guest kernel as the double sees it: read with `ip -j -d addr show`, changed with iproute2.

`DryKernel` stands in for it only when the daemon runs outside a lab guest, in tests of pure logic.
"""
import glob
import json
import logging
import os
import signal
import subprocess

log = logging.getLogger('middlewared.kernel')

MODES = {'LACP': '802.3ad', 'FAILOVER': 'active-backup', 'LOADBALANCE': 'balance-xor'}
PROTOCOLS = {v: k for k, v in MODES.items()}
PROTOCOLS.update({'balance-rr': 'ROUNDROBIN', 'broadcast': 'BROADCAST'})


FOREVER = 4294967295


class KernelError(Exception):
    pass


def _link_from_ip(item, read_sys):
    info = item.get('linkinfo') or {}
    name = item['ifname']
    link = {
        'name': name,
        'kind': info.get('info_kind') or item.get('link_type') or '',
        'mac': item.get('address') or '',
        'mtu': item.get('mtu') or 1500,
        'flags': [f for f in item.get('flags', []) if f not in ('NO-CARRIER', 'M-DOWN')],
        'operstate': item.get('operstate') or 'UNKNOWN',
        'master': item.get('master'),
        'perm_mac': (info.get('info_slave_data') or {}).get('perm_hwaddr'),
        'rx_queues': item.get('num_rx_queues', 1),
        'tx_queues': item.get('num_tx_queues', 1),
        'speed': read_sys(name, 'speed'),
        'addrs': [
            {'family': a['family'], 'address': a['local'], 'prefix': a['prefixlen'], 'scope': a.get('scope'),
             # A DHCP lease: dhclient-script adds it with a lifetime.
             'dynamic': bool(a.get('dynamic')) or a.get('valid_life_time', FOREVER) < FOREVER}
            for a in item.get('addr_info', []) if a.get('family') in ('inet', 'inet6')
        ],
        'bond': None,
    }
    if link['kind'] == 'bond':
        data = info.get('info_data') or {}
        slaves = (read_sys(name, 'bonding/slaves') or '').split()
        link['bond'] = {
            'mode': data.get('mode'),
            'miimon': data.get('miimon', 0),
            'xmit_hash_policy': data.get('xmit_hash_policy'),
            'lacp_rate': data.get('ad_lacp_rate'),
            'slaves': slaves,
        }
    return link


def _read_sys(name, attr):
    try:
        with open(f'/sys/class/net/{name}/{attr}') as f:
            return f.read().strip()
    except OSError:
        return None


def _pid_alive(path):
    try:
        with open(path) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


class IpKernel:
    """The real thing: every change is an `ip` command inside the guest."""

    def links(self):
        out = self._ip('-j', '-d', 'addr', 'show')
        return {i['ifname']: _link_from_ip(i, _read_sys) for i in json.loads(out or '[]')}

    def default_gateway(self):
        routes = json.loads(self._ip('-j', '-4', 'route', 'show', 'default') or '[]')
        return next((r['gateway'] for r in routes if r.get('gateway')), None)

    def create_bond(self, name, mode, options):
        self._ip('link', 'add', name, 'type', 'bond', 'mode', mode, *self._bond_args(options))

    def set_bond_options(self, name, options):
        self._ip('link', 'set', name, 'type', 'bond', *self._bond_args(options))

    def delete_link(self, name):
        self._ip('link', 'del', name)

    def enslave(self, bond, member):
        self._ip('link', 'set', member, 'down')
        self._ip('link', 'set', member, 'master', bond)

    def release(self, member):
        self._ip('link', 'set', member, 'nomaster')

    def set_up(self, name, up=True):
        self._ip('link', 'set', name, 'up' if up else 'down')

    def set_mtu(self, name, mtu):
        self._ip('link', 'set', name, 'mtu', str(mtu))

    def addr_add(self, name, address, prefix, family):
        extra = ['brd', '+'] if family == 'inet' else []
        self._ip('addr', 'add', f'{address}/{prefix}', *extra, 'dev', name)

    def addr_del(self, name, address, prefix):
        self._ip('addr', 'del', f'{address}/{prefix}', 'dev', name)

    def flush(self, name):
        self._ip('addr', 'flush', 'dev', name)

    def replace_default_route(self, gateway):
        self._ip('route', 'replace', 'default', 'via', gateway)

    # DHCP clients: dhclient with ifupdown's pid and lease files, as the box runs one per DHCP interface.
    def dhcp_clients(self):
        out = []
        for path in glob.glob('/run/dhclient.*.pid'):
            name = path[len('/run/dhclient.'):-len('.pid')]
            if _pid_alive(path):
                out.append(name)
        return out

    def start_dhcp(self, name):
        proc = subprocess.run(['dhclient', '-4', '-nw', '-pf', f'/run/dhclient.{name}.pid',
                               '-lf', f'/var/lib/dhcp/dhclient.{name}.leases', name], capture_output=True, text=True)
        if proc.returncode != 0:
            raise KernelError(f'dhclient {name}: {proc.stderr.strip()}')
        log.info('dhclient %s started', name)

    def stop_dhcp(self, name):
        path = f'/run/dhclient.{name}.pid'
        pid = _pid_alive(path)
        if pid:
            os.kill(pid, signal.SIGTERM)
        try:
            os.unlink(path)
        except OSError:
            pass
        log.info('dhclient %s stopped', name)

    def delete_default_route(self):
        self._ip('-4', 'route', 'del', 'default')

    @staticmethod
    def _bond_args(options):
        args = []
        for key in ('xmit_hash_policy', 'lacp_rate', 'miimon'):
            if options.get(key) is not None:
                args += [key, str(options[key])]
        return args

    @staticmethod
    def _ip(*args):
        proc = subprocess.run(['ip', *args], capture_output=True, text=True)
        if proc.returncode != 0:
            raise KernelError(f'ip {" ".join(args)}: {proc.stderr.strip()}')
        log.info('ip %s', ' '.join(args))
        return proc.stdout


class DryKernel:
    """An in-memory stand-in for tests of pure logic on a machine without bonding. Never in the lab."""

    def __init__(self, spec):
        self.gateway = spec.get('default_gateway')
        self._dhcp = set()
        self.state = {}
        for i, nic in enumerate(spec.get('links', [])):
            self.state[nic['name']] = {
                'name': nic['name'], 'kind': 'veth', 'mac': nic.get('mac', f'02:00:00:00:00:{i + 1:02x}'),
                'mtu': 1500, 'up': nic.get('up', False), 'master': None, 'speed': '10000',
                'addrs': [dict(a, scope='global') for a in nic.get('addrs', [])], 'bond': None, 'perm': None,
            }

    def links(self):
        result = {}
        for name, s in self.state.items():
            carrier = s['up'] and (s['bond'] is None or bool(s['bond']['slaves']))
            flags = ['BROADCAST', 'MULTICAST'] + (['MASTER'] if s['bond'] else []) + \
                (['SLAVE'] if s['master'] else []) + (['UP'] if s['up'] else []) + (['LOWER_UP'] if carrier else [])
            result[name] = {
                'name': name, 'kind': 'bond' if s['bond'] else s['kind'], 'mac': s['mac'], 'mtu': s['mtu'],
                'flags': flags, 'operstate': 'UP' if carrier else 'DOWN', 'master': s['master'],
                'perm_mac': s['perm'], 'rx_queues': 1, 'tx_queues': 1, 'speed': s['speed'],
                'addrs': [dict(a) for a in s['addrs']], 'bond': dict(s['bond']) if s['bond'] else None,
            }
        return result

    def default_gateway(self):
        return self.gateway

    def create_bond(self, name, mode, options):
        if name in self.state:
            raise KernelError(f'RTNETLINK answers: File exists ({name})')
        self.state[name] = {'name': name, 'kind': 'bond', 'mac': '02:ff:00:00:00:01', 'mtu': 1500, 'up': False,
                            'master': None, 'speed': None, 'addrs': [], 'perm': None,
                            'bond': {'mode': mode, 'miimon': 100 if mode == '802.3ad' else 0,
                                     'xmit_hash_policy': options.get('xmit_hash_policy') or 'layer2',
                                     'lacp_rate': options.get('lacp_rate') or 'slow', 'slaves': []}}

    def set_bond_options(self, name, options):
        self.state[name]['bond'].update({k: v for k, v in options.items() if v is not None})

    def delete_link(self, name):
        for member in self.state[name]['bond']['slaves'] if self.state[name]['bond'] else []:
            self.release(member)
        del self.state[name]

    def enslave(self, bond, member):
        b, m = self.state[bond], self.state[member]
        if not b['bond']['slaves']:
            b['mac'] = m['mac']
        m.update(master=bond, perm=m['mac'], mac=b['mac'], up=False)
        b['bond']['slaves'].append(member)

    def release(self, member):
        m = self.state[member]
        self.state[m['master']]['bond']['slaves'].remove(member)
        # Linux closes a port it releases (bonding's __bond_release_one calls dev_close).
        m.update(master=None, mac=m['perm'] or m['mac'], perm=None, up=False)

    def set_up(self, name, up=True):
        self.state[name]['up'] = up

    def set_mtu(self, name, mtu):
        self.state[name]['mtu'] = mtu

    def addr_add(self, name, address, prefix, family):
        self.state[name]['addrs'].append({'family': family, 'address': address, 'prefix': prefix, 'scope': 'global'})

    def addr_del(self, name, address, prefix):
        self.state[name]['addrs'] = [a for a in self.state[name]['addrs'] if a['address'] != address]

    def flush(self, name):
        self.state[name]['addrs'] = []

    def replace_default_route(self, gateway):
        self.gateway = gateway

    def dhcp_clients(self):
        return sorted(self._dhcp)

    def start_dhcp(self, name):
        self._dhcp.add(name)

    def stop_dhcp(self, name):
        self._dhcp.discard(name)

    def delete_default_route(self):
        self.gateway = None
