"""The configuration database: SQLite, shaped like the real `network_*` tables (fact sheet §5.1).

Writes go to disk at once (autocommit), so they survive a reboot of the guest, as on a real box.
"""
import sqlite3

NETWORK_TABLES = (  # parents first; restore inserts in this order and deletes in reverse
    'network_interfaces', 'network_alias', 'network_lagginterface', 'network_lagginterfacemembers',
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS network_interfaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    int_interface VARCHAR(300) NOT NULL,
    int_name VARCHAR(120) NOT NULL DEFAULT '',
    int_dhcp BOOLEAN NOT NULL DEFAULT 0,
    int_ipv4address VARCHAR(42) NOT NULL DEFAULT '',
    int_v4netmaskbit VARCHAR(3) NOT NULL DEFAULT '',
    int_ipv6auto BOOLEAN NOT NULL DEFAULT 0,
    int_ipv6address VARCHAR(45) NOT NULL DEFAULT '',
    int_v6netmaskbit VARCHAR(3) NOT NULL DEFAULT '',
    int_mtu INTEGER NULL,
    int_link_address VARCHAR(17) NULL
);
CREATE TABLE IF NOT EXISTS network_alias (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alias_interface_id INTEGER NOT NULL REFERENCES network_interfaces (id) ON DELETE CASCADE,
    alias_v4address VARCHAR(42) NOT NULL DEFAULT '',
    alias_v4netmaskbit VARCHAR(3) NOT NULL DEFAULT '',
    alias_v6address VARCHAR(45) NOT NULL DEFAULT '',
    alias_v6netmaskbit VARCHAR(3) NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS network_lagginterface (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lagg_interface_id INTEGER NOT NULL REFERENCES network_interfaces (id) ON DELETE CASCADE,
    lagg_protocol VARCHAR(120) NOT NULL,
    lagg_xmit_hash_policy VARCHAR(12) NULL,
    lagg_lacpdu_rate VARCHAR(4) NULL
);
CREATE TABLE IF NOT EXISTS network_lagginterfacemembers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lagg_interfacegroup_id INTEGER NOT NULL REFERENCES network_lagginterface (id) ON DELETE CASCADE,
    lagg_ordernum INTEGER NOT NULL,
    lagg_physnic VARCHAR(120) NOT NULL UNIQUE,
    lagg_deviceflags VARCHAR(120) NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS network_globalconfiguration (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    gc_hostname VARCHAR(120) NOT NULL DEFAULT 'truenas',
    gc_domain VARCHAR(120) NOT NULL DEFAULT 'local',
    gc_ipv4gateway VARCHAR(42) NOT NULL DEFAULT '',
    gc_ipv6gateway VARCHAR(45) NOT NULL DEFAULT '',
    gc_nameserver1 VARCHAR(45) NOT NULL DEFAULT '',
    gc_nameserver2 VARCHAR(45) NOT NULL DEFAULT '',
    gc_nameserver3 VARCHAR(45) NOT NULL DEFAULT ''
);
"""


class ConfigDB:
    def __init__(self, path):
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute('PRAGMA foreign_keys = ON')
        self.conn.executescript(SCHEMA)
        if not self.one('SELECT id FROM network_globalconfiguration'):
            self.conn.execute('INSERT INTO network_globalconfiguration (gc_hostname) VALUES (?)', ('truenas',))

    def all(self, sql, args=()):
        return [dict(r) for r in self.conn.execute(sql, args).fetchall()]

    def one(self, sql, args=()):
        rows = self.all(sql, args)
        return rows[0] if rows else None

    def run(self, sql, args=()):
        return self.conn.execute(sql, args).lastrowid

    def transaction(self):
        return _Transaction(self.conn)

    # --- reads shaped for the service -------------------------------------------------------------
    def interfaces(self):
        return self.all('SELECT * FROM network_interfaces ORDER BY id')

    def interface(self, name):
        return self.one('SELECT * FROM network_interfaces WHERE int_interface = ?', (name,))

    def aliases(self, interface_id):
        return self.all('SELECT * FROM network_alias WHERE alias_interface_id = ? ORDER BY id', (interface_id,))

    def laggs(self):
        return self.all(
            'SELECT l.*, i.int_interface AS name FROM network_lagginterface l '
            'JOIN network_interfaces i ON i.id = l.lagg_interface_id ORDER BY l.id'
        )

    def lagg_members(self, lagg_id):
        return [r['lagg_physnic'] for r in self.all(
            'SELECT lagg_physnic FROM network_lagginterfacemembers WHERE lagg_interfacegroup_id = ? '
            'ORDER BY lagg_ordernum', (lagg_id,))]

    def global_config(self):
        return self.one('SELECT * FROM network_globalconfiguration ORDER BY id LIMIT 1')

    def set_global(self, **fields):
        sets = ', '.join(f'gc_{k} = ?' for k in fields)
        self.run(f'UPDATE network_globalconfiguration SET {sets} WHERE id = ?',
                 (*fields.values(), self.global_config()['id']))

    # --- the pending-change snapshot (kept by the caller in memory only) -------------------------
    def snapshot(self):
        data = {t: self.all(f'SELECT * FROM {t} ORDER BY id') for t in NETWORK_TABLES}
        data['gc_ipv4gateway'] = self.global_config()['gc_ipv4gateway']
        return data

    def restore(self, data):
        with self.transaction():
            for table in reversed(NETWORK_TABLES):
                self.conn.execute(f'DELETE FROM {table}')
            for table in NETWORK_TABLES:
                for row in data[table]:
                    cols = ', '.join(row)
                    marks = ', '.join('?' for _ in row)
                    self.conn.execute(f'INSERT INTO {table} ({cols}) VALUES ({marks})', tuple(row.values()))
        self.set_global(ipv4gateway=data['gc_ipv4gateway'])


class _Transaction:
    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.execute('BEGIN')
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute('ROLLBACK' if exc_type else 'COMMIT')
        return False
