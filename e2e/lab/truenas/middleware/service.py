"""The methods midclt can call, and the pending-change state that lives only in this process (§5)."""
import errno
import ipaddress
import logging
import threading
import time

from . import crud, schema
from .entries import db_aliases, is_internal, query_entries
from .errors import CallError, ENOMETHOD, instance_not_found
from .filters import MatchNotFound, check_args, filter_list
from .sync import sync

log = logging.getLogger('middlewared')
PRIVATE = {'interface.lag_supported_protocols', 'interface.sync'}


class Middleware:
    def __init__(self, release, db, kernel):
        self.release, self.db, self.kernel = release, db, kernel
        self.lock = threading.RLock()
        self.snapshot = None        # the pre-edit copy of the network tables: memory only, as on the real box
        self.rollback_timer = None  # only the latest timer is referenced (§5.7)
        self.methods = self._registry()

    # ---- dispatch ------------------------------------------------------------------------------
    def call(self, method, params):
        entry = self.methods.get(method)
        if entry is None:
            if self.release.jsonrpc:
                raise CallError('Method does not exist', ENOMETHOD)
            service, _, name = method.rpartition('.')
            raise CallError(f'Method "{name}" not found in "{service}"', ENOMETHOD)
        fn, max_args = entry
        if len(params) > max_args:
            raise CallError(f'Too many arguments (expected {max_args}, found {len(params)})', errno.EINVAL)
        if method in PRIVATE and self.release.at_least('25.10'):
            log.warning('private method %s called from an interactive session', method)
        with self.lock:
            return fn(*params)

    def _registry(self):
        r = self.release
        table = {
            'core.ping': (lambda: 'pong', 0),
            'system.version_short': (lambda: r.version, 0),
            'system.version': (lambda: r.product_version, 0),
            'network.configuration.config': (self.network_config, 0),
            'interface.query': (self.query, 2),
            'interface.get_instance': (self.get_instance, 2),
            'interface.create': (lambda data=None: crud.do_create(self, data if data is not None else {}), 1),
            'interface.update': (lambda oid=None, data=None: crud.do_update(self, self._id(oid), data if data is not None else {}), 2),
            'interface.delete': (lambda oid=None: crud.do_delete(self, self._id(oid)), 1),
            'interface.commit': (self.commit, 1),
            'interface.checkin': (self.checkin, 0),
            'interface.cancel_rollback': (self.cancel_rollback, 0),
            'interface.checkin_waiting': (self.checkin_waiting, 0),
            'interface.rollback': (self.rollback, 0),
            'interface.has_pending_changes': (lambda: bool(self.snapshot), 0),
            'interface.lag_supported_protocols': (lambda: list(crud.SUPPORTED_PROTOCOLS), 0),
            'interface.lag_ports_choices': (lambda oid=None: crud.lag_ports_choices(self, oid), 1),
            'interface.xmit_hash_policy_choices': (lambda: {k: k for k in ('LAYER2', 'LAYER2+3', 'LAYER3+4')}, 0),
            'interface.lacpdu_rate_choices': (lambda: {'SLOW': 'SLOW', 'FAST': 'FAST'}, 0),
            'interface.choices': (self.choices, 1),
            'interface.ip_in_use': (self.ip_in_use, 1),
            'interface.services_restarted_on_sync': (lambda: [], 0),
            'interface.websocket_local_ip': (lambda: None, 0),
            'interface.websocket_interface': (lambda: None, 0),
            'interface.sync': (lambda wait_dhcp=False: self.sync(), 1),
        }
        if r.has_network_config_calls:
            table['interface.network_config_to_be_removed'] = (self.network_config_to_be_removed, 0)
            table['interface.save_network_config'] = (self.save_network_config, 1)
        else:
            table['interface.default_route_will_be_removed'] = (self.default_route_will_be_removed, 0)
            table['interface.save_default_route'] = (self.save_default_route, 1)
        return table

    def _id(self, oid):
        return schema.validate_value(self.release, oid, schema.F('str', required=True), 'id', 'id')

    # ---- query ---------------------------------------------------------------------------------
    def query_all(self):
        return query_entries(self.db, self.kernel, self.release)

    def query(self, filters=None, options=None):
        check_args(filters, options)
        return filter_list(self.query_all(), filters, options)

    def get_instance(self, oid=None, options=None):
        oid = self._id(oid)
        try:
            return filter_list(self.query_all(), [['id', '=', oid]], dict(options or {}, get=True))
        except MatchNotFound:
            raise instance_not_found(f'Interface {oid} does not exist') from None

    def choices(self, options=None):
        options = schema.validate_dict(self.release, options or {}, schema.CHOICES_OPTIONS, 'options', 'options')
        return crud.choices(self, options)

    # ---- pending changes (§5) ------------------------------------------------------------------
    def save_snapshot(self):
        if self.snapshot is None:  # later edits never overwrite it (§5.1)
            self.snapshot = self.db.snapshot()

    def sync(self):
        sync(self)

    def commit(self, options=None):
        options = schema.validate_dict(self.release, options if options is not None else {}, schema.COMMIT_OPTIONS,
                                       'options', 'options')
        try:
            self.sync()
        except Exception:
            if options['rollback']:
                self.rollback()
            raise
        if options['rollback'] and options['checkin_timeout']:
            timer = threading.Timer(options['checkin_timeout'], self._timer_fired)
            timer.deadline = time.monotonic() + options['checkin_timeout']
            timer.args = (timer,)
            timer.daemon = True
            # A second commit overwrites the reference without cancelling the older timer (§5.7).
            self.rollback_timer = timer
            timer.start()
        else:
            self.snapshot = None

    def _timer_fired(self, timer):
        with self.lock:
            if timer.finished.is_set():  # cancelled while waiting for the lock
                return
            log.info('check-in timeout: rolling back')
            try:
                self.rollback()
            except Exception:
                log.exception('rollback failed')

    def checkin(self):
        self.cancel_rollback()
        self.snapshot = None

    def cancel_rollback(self):
        if self.rollback_timer:
            self.rollback_timer.cancel()
        self.rollback_timer = None

    def checkin_waiting(self):
        if self.rollback_timer:
            return int(max(0.0, self.rollback_timer.deadline - time.monotonic()))
        return None

    def rollback(self):
        self.cancel_rollback()
        if self.snapshot:
            self.db.restore(self.snapshot)
            self.snapshot = None
        self.sync()

    # ---- gateway and DNS -----------------------------------------------------------------------
    def network_config(self):
        gc = self.db.global_config()
        kernel_gw = self.kernel.default_gateway() or ''
        resolv = _resolv_nameservers()
        return {
            'id': gc['id'], 'hostname': gc['gc_hostname'], 'domain': gc['gc_domain'],
            'ipv4gateway': gc['gc_ipv4gateway'], 'ipv6gateway': gc['gc_ipv6gateway'],
            'nameserver1': gc['gc_nameserver1'], 'nameserver2': gc['gc_nameserver2'],
            'nameserver3': gc['gc_nameserver3'], 'httpproxy': '', 'netwait_enabled': False, 'netwait_ip': [],
            'hosts': [], 'domains': [], 'service_announcement': {'netbios': False, 'mdns': True, 'wsd': True},
            'activity': {'type': 'DENY', 'activities': []}, 'hostname_local': gc['gc_hostname'],
            'state': {'ipv4gateway': kernel_gw, 'ipv6gateway': '',
                      **{f'nameserver{i + 1}': (resolv[i] if i < len(resolv) else '') for i in range(3)}},
        }

    def default_route_will_be_removed(self):
        kernel_gw = self.kernel.default_gateway()
        if kernel_gw is None:
            return False
        if not self.db.interfaces():
            return True
        return self.db.global_config()['gc_ipv4gateway'] != kernel_gw

    def network_config_to_be_removed(self):
        removed = ['ipv4gateway'] if self.default_route_will_be_removed() else []
        # A box with no interface rows runs on DHCP, and DHCP gave it its DNS servers; the first
        # configuration drops them unless they are saved (§5.8). The clients ask between the edit and
        # the commit, so "no rows" is the state before the pending edits (the snapshot) as well as now.
        fresh_before = self.snapshot is not None and not self.snapshot['network_interfaces']
        if fresh_before or not self.db.interfaces():
            gc = self.db.global_config()
            for i, ns in enumerate(_resolv_nameservers()[:3]):
                if ns and gc[f'gc_nameserver{i + 1}'] != ns:
                    removed.append(f'nameserver{i + 1}')
        return removed

    def _check_gateway(self, gateway):
        if not self.snapshot:
            raise CallError('There are no pending interface changes.')
        gw = ipaddress.ip_address(gateway)
        for row in self.db.interfaces():
            for a in db_aliases(self.db, row):
                if a['type'] == 'INET' and gw in ipaddress.ip_network(f"{a['address']}/{a['netmask']}", strict=False):
                    return
        raise CallError(f'{gateway} is not reachable from any interface configured on the system.')

    def save_default_route(self, gateway=None):
        gateway = schema.validate_value(self.release, gateway, schema.F('ip', required=True), 'gateway', 'gateway')
        self._check_gateway(gateway)
        self.db.set_global(ipv4gateway=gateway)

    def save_network_config(self, data=None):
        data = schema.validate_dict(self.release, data if data is not None else {}, schema.NETWORK_CONFIG,
                                    'network_config', 'data')
        self._check_gateway(data['ipv4gateway'])
        self.db.set_global(**data)

    # ---- addresses in use ----------------------------------------------------------------------
    def ip_in_use(self, options=None):
        fields = dict(schema.IP_IN_USE_OPTIONS)
        if self.release.ip_in_use_has_interfaces:
            fields['interfaces'] = schema.F('list', items=schema.F('str'), default=[])
        o = schema.validate_dict(self.release, options or {}, fields, 'ips', 'options')
        static = {a['address'] for r in self.db.interfaces() for a in db_aliases(self.db, r)}
        result = []
        for name, link in self.kernel.links().items():
            if name == 'lo' and not o['loopback']:
                continue
            if name != 'lo' and is_internal(name):
                continue
            if o.get('interfaces') and name not in o['interfaces']:
                continue
            for a in link['addrs']:
                v4 = a['family'] == 'inet'
                if (v4 and not o['ipv4']) or (not v4 and not o['ipv6']):
                    continue
                if not v4 and a['address'].lower().startswith('fe80') and not o['ipv6_link_local']:
                    continue
                if o['static'] and a['address'] not in static:
                    continue
                entry = {'type': 'INET' if v4 else 'INET6', 'address': a['address'], 'netmask': a['prefix']}
                if v4:
                    entry['broadcast'] = str(ipaddress.ip_interface(f"{a['address']}/{a['prefix']}").network.broadcast_address)
                result.append(entry)
        if o['any']:
            if o['ipv4']:
                result.append({'type': 'INET', 'address': '0.0.0.0', 'netmask': 0, 'broadcast': '255.255.255.255'})
            if o['ipv6']:
                result.append({'type': 'INET6', 'address': '::', 'netmask': 0})
        return result


def _resolv_nameservers():
    try:
        with open('/etc/resolv.conf') as f:
            return [line.split()[1] for line in f if line.startswith('nameserver') and len(line.split()) > 1]
    except OSError:
        return []
