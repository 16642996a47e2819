"""Which TrueNAS release the double plays, and what differs between releases.

Every flag cites the fact sheet (/work/shared/reference/truenas-middleware.md) section that forced it.
"""
import re

# Short release names map to the release tags the fact sheet was read at (Key to sources).
SHORT_NAMES = {
    '22.12': '22.12.4.2',
    '23.10': '23.10.2',
    '24.04': '24.04.2.5',
    '24.10': '24.10.2.4',
    '25.04': '25.04.2.6',
    '25.10': '25.10.6',
}
DEFAULT = '25.04'


def _key(version):
    return tuple(int(p) for p in version.split('.'))


class Release:
    def __init__(self, name):
        name = (name or '').strip() or DEFAULT
        full = SHORT_NAMES.get(name, name)
        if not re.fullmatch(r'\d+\.\d+(\.\d+){0,2}', full) or _key(full)[:2] not in {
            _key(v)[:2] for v in SHORT_NAMES.values()
        }:
            raise ValueError(f'unsupported TrueNAS release {name!r}; use one of {", ".join(SHORT_NAMES)}')
        self.version = full
        self.key = _key(full)

    def at_least(self, version):
        return self.key >= _key(version)

    @property
    def product_version(self):
        # system.version: the product was branded simply "TrueNAS" from 25.04 (fact sheet, release names).
        return f'TrueNAS-{self.version}' if self.at_least('25.04') else f'TrueNAS-SCALE-{self.version}'

    # §4: configured NICs are rejected as members (and hidden from lag_ports_choices) from 23.10.2.
    @property
    def rejects_configured_members(self):
        return self.at_least('23.10.2')

    # §3 / §7: permanent_link_address and hardware_link_address exist from 23.10.1.3.
    @property
    def has_permanent_link_address(self):
        return self.at_least('23.10.1.3')

    # §2 / §7: Pydantic models (strict, extra=forbid, `data.<field>` errors) from 25.10.
    @property
    def strict_schemas(self):
        return self.at_least('25.10')

    # §1: the default-route pair is 22.12-25.04 only; 25.10 replaces it with the network-config pair.
    @property
    def has_network_config_calls(self):
        return self.at_least('25.10')

    # §3: the 25.10 state reader always fills xmit_hash_policy and drops LINK aliases.
    @property
    def new_state_reader(self):
        return self.at_least('25.10')

    # §2: miimon=100 is forced whenever it reads 0 from 25.10.2.2 (NAS-136978).
    @property
    def forces_miimon(self):
        return self.at_least('25.10.2.2')

    # §6: 22.12-24.10 midclt has `-j type=bool`; 25.04+ makes it a flag.
    @property
    def job_flag_is_bool_option(self):
        return not self.at_least('25.04')

    # §6: from 25.10 `-q` belongs to the `call` sub-command.
    @property
    def quiet_under_call(self):
        return self.at_least('25.10')

    # §6: 25.04+ speak JSON-RPC 2.0; older releases the legacy protocol (changes unknown-method wording).
    @property
    def jsonrpc(self):
        return self.at_least('25.04')

    # §1: ip_in_use gains `interfaces` in 25.10.
    @property
    def ip_in_use_has_interfaces(self):
        return self.at_least('25.10')
