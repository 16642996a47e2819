"""The unix-socket front door: one JSON line in, one JSON line out, callers identified by SO_PEERCRED (§6)."""
import grp
import json
import logging
import os
import pwd
import socket
import socketserver
import struct

from .errors import NotAuthenticated, to_wire

log = logging.getLogger('middlewared.server')
ADMIN_GROUP = 'builtin_administrators'


def is_full_admin(uid, gid):
    """root, or a local user in builtin_administrators (the installer's admin), is FULL_ADMIN."""
    if uid == 0:
        return True
    try:
        user = pwd.getpwuid(uid).pw_name
        admin_gid = grp.getgrnam(ADMIN_GROUP).gr_gid
    except KeyError:
        return False
    return admin_gid == gid or admin_gid in os.getgrouplist(user, gid)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        creds = self.request.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize('3i'))
        _pid, uid, gid = struct.unpack('3i', creds)
        line = self.rfile.readline()
        if not line:
            return
        try:
            request = json.loads(line)
            if not is_full_admin(uid, gid):
                raise NotAuthenticated()
            result = self.server.middleware.call(request['method'], list(request.get('params') or []))
            reply = {'result': result}
        except Exception as exc:  # every failure goes back to the caller, as the real server does
            if not isinstance(exc, NotAuthenticated):
                log.info('call %s failed: %s', line[:200], exc)
            reply = {'error': to_wire(exc)}
        try:
            self.wfile.write((json.dumps(reply) + '\n').encode())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (-t); the call still ran to completion


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path, middleware):
        if os.path.exists(path):
            os.unlink(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.middleware = middleware
        super().__init__(path, _Handler)
        os.chmod(path, 0o666)  # anyone may connect; authorisation happens per call
