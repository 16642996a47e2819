"""Argument schemas, in the two dialects the releases speak (fact sheet §2, §4).

22.12-25.04: the legacy `@accepts` schemas. They coerce "24" to 24, reject unknown keys with
`Field was not expected`, and name errors `interface_create.<field>`.
25.10: Pydantic models with strict=True, extra="forbid", errors named after the argument
(`data.<field>`) in Pydantic's words.
"""
import ipaddress

from .errors import ValidationErrors

MISSING = object()


class F:
    def __init__(self, kind, required=False, null=False, default=MISSING, enum=None, rng=None, items=None,
                 fields=None, model=None):
        self.kind, self.required, self.null, self.default = kind, required, null, default
        self.enum, self.rng, self.items, self.fields, self.model = enum, rng, items, fields, model


ALIAS = F('dict', model='InterfaceAlias', fields={
    'type': F('str', enum=['INET', 'INET6'], default='INET'),
    'address': F('ip', required=True),
    'netmask': F('int', required=True),
})
FAILOVER_ALIAS = F('dict', model='InterfaceFailoverAlias', fields={
    'type': F('str', enum=['INET', 'INET6'], default='INET'),
    'address': F('ip', required=True),
})

INTERFACE_CREATE = {
    'name': F('str'),
    'description': F('str', default=''),
    'type': F('str', enum=['BRIDGE', 'LINK_AGGREGATION', 'VLAN'], required=True),
    'ipv4_dhcp': F('bool', default=False),
    'ipv6_auto': F('bool', default=False),
    'aliases': F('list', items=ALIAS, default=[]),
    'failover_critical': F('bool', default=False),
    'failover_group': F('int', null=True),
    'failover_vhid': F('int', null=True, rng=(1, 255)),
    'failover_aliases': F('list', items=FAILOVER_ALIAS, default=[]),
    'failover_virtual_aliases': F('list', items=FAILOVER_ALIAS, default=[]),
    'bridge_members': F('list', items=F('str'), default=[]),
    'enable_learning': F('bool', default=True),
    'stp': F('bool', default=True),
    'lag_protocol': F('str', enum=['LACP', 'FAILOVER', 'LOADBALANCE', 'ROUNDROBIN', 'NONE']),
    'xmit_hash_policy': F('str', enum=['LAYER2', 'LAYER2+3', 'LAYER3+4'], null=True, default=None),
    'lacpdu_rate': F('str', enum=['SLOW', 'FAST'], null=True, default=None),
    'lag_ports': F('list', items=F('str'), default=[]),
    'vlan_parent_interface': F('str'),
    'vlan_tag': F('int', rng=(1, 4094)),
    'vlan_pcp': F('int', null=True, rng=(0, 7)),
    'mtu': F('int', null=True, rng=(68, 9216), default=None),
}
INTERFACE_UPDATE = {k: v for k, v in INTERFACE_CREATE.items() if k != 'type'}

COMMIT_OPTIONS = {'rollback': F('bool', default=True), 'checkin_timeout': F('int', default=60)}
CHOICES_OPTIONS = {
    'bridge_members': F('bool', default=False),
    'lag_ports': F('bool', default=False),
    'vlan_parent': F('bool', default=True),
    'exclude': F('list', items=F('str'), default=['epair', 'tap', 'vnet']),
    'exclude_types': F('list', items=F('str', enum=['BRIDGE', 'LINK_AGGREGATION', 'PHYSICAL', 'UNKNOWN', 'VLAN']),
                       default=[]),
    'include': F('list', items=F('str'), default=[]),
}
IP_IN_USE_OPTIONS = {
    k: F('bool', default=d) for k, d in
    (('ipv4', True), ('ipv6', True), ('ipv6_link_local', False), ('loopback', False), ('any', False),
     ('static', False))
}
NETWORK_CONFIG = {
    'ipv4gateway': F('ip', required=True),
    'nameserver1': F('ip'), 'nameserver2': F('ip'), 'nameserver3': F('ip'),
}


def _legacy_type_error(kind):
    return {'str': 'Not a string', 'int': 'Not an integer', 'bool': 'Not a boolean', 'list': 'Not a list',
            'dict': 'A dict was expected', 'ip': 'Not a string'}[kind]


def _strict_type_error(spec):
    if spec.kind == 'dict':
        return f'Input should be a valid dictionary or instance of {spec.model}'
    return {'str': 'Input should be a valid string', 'int': 'Input should be a valid integer',
            'bool': 'Input should be a valid boolean', 'list': 'Input should be a valid list',
            'ip': 'Input should be a valid string'}[spec.kind]


class Validator:
    def __init__(self, strict):
        self.strict = strict

    def value(self, value, spec, path, verrors):
        """Return the cleaned value, or MISSING after adding an error."""
        if value is None:
            if spec.null:
                return None
            verrors.add(path, _strict_type_error(spec) if self.strict else 'null not allowed')
            return MISSING
        cleaned = self._coerce(value, spec)
        if cleaned is MISSING:
            verrors.add(path, _strict_type_error(spec) if self.strict else _legacy_type_error(spec.kind))
            return MISSING
        if spec.enum is not None and cleaned not in spec.enum:
            verrors.add(path, self._enum_error(spec.enum, cleaned))
            return MISSING
        if spec.rng is not None and not spec.rng[0] <= cleaned <= spec.rng[1]:
            low, high = spec.rng
            if not self.strict:
                verrors.add(path, f'Should be between {low} and {high}')
            elif cleaned < low:
                verrors.add(path, f'Input should be greater than or equal to {low}')
            else:
                verrors.add(path, f'Input should be less than or equal to {high}')
            return MISSING
        if spec.kind == 'ip':
            try:
                ipaddress.ip_address(cleaned)
            except ValueError:
                verrors.add(path, 'value is not a valid IPv4 or IPv6 address' if self.strict
                            else 'Not a valid IP address')
                return MISSING
        if spec.kind == 'list':
            out = []
            for i, item in enumerate(cleaned):
                v = self.value(item, spec.items, f'{path}.{i}', verrors)
                out.append(v)
            return out
        if spec.kind == 'dict':
            return self.fields(cleaned, spec.fields, path, verrors)
        return cleaned

    def fields(self, data, fields, path, verrors, update=False):
        out = {}
        for key in data:
            if key not in fields:
                verrors.add(f'{path}.{key}', 'Extra inputs are not permitted' if self.strict else 'Field was not expected')
        for key, spec in fields.items():
            if key in data:
                v = self.value(data[key], spec, f'{path}.{key}', verrors)
                if v is not MISSING:
                    out[key] = v
            elif update:
                continue
            elif spec.required:
                verrors.add(f'{path}.{key}', 'Field required' if self.strict else 'attribute required')
            elif spec.default is not MISSING:
                out[key] = list(spec.default) if isinstance(spec.default, list) else spec.default
        return out

    def _coerce(self, value, spec):
        kind = spec.kind
        if kind in ('str', 'ip'):
            if isinstance(value, str):
                return value
            if not self.strict and isinstance(value, int) and not isinstance(value, bool):
                return str(value)
            return MISSING
        if kind == 'int':
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if not self.strict and isinstance(value, str) and value.isdigit():
                return int(value)
            return MISSING
        if kind == 'bool':
            return value if isinstance(value, bool) else MISSING
        if kind == 'list':
            return value if isinstance(value, list) else MISSING
        if kind == 'dict':
            return value if isinstance(value, dict) else MISSING
        raise AssertionError(kind)

    def _enum_error(self, enum, value):
        if not self.strict:
            return f'Invalid choice: {value}'
        quoted = [f"'{e}'" for e in enum]
        return 'Input should be ' + (quoted[0] if len(quoted) == 1 else ', '.join(quoted[:-1]) + ' or ' + quoted[-1])


def validate_dict(release, value, fields, legacy_name, strict_name, update=False):
    """Validate one dict argument; raise ValidationErrors the way the release would."""
    strict = release.strict_schemas
    path = strict_name if strict else legacy_name
    verrors = ValidationErrors()
    v = Validator(strict)
    if not isinstance(value, dict):
        verrors.add(path, f'Input should be a valid dictionary or instance of {strict_name}' if strict
                    else 'A dict was expected')
        verrors.check()
    out = v.fields(value, fields, path, verrors, update=update)
    verrors.check()
    return out


def validate_value(release, value, spec, legacy_name, strict_name):
    strict = release.strict_schemas
    verrors = ValidationErrors()
    out = Validator(strict).value(value, spec, strict_name if strict else legacy_name, verrors)
    verrors.check()
    return out
