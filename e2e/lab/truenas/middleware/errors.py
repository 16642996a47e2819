"""Errors the double raises, and how they travel to midclt.

midclt prints what the real client prints (fact sheet §4, "Error format printed by midclt"):
validation errors as `[ERRNAME] attribute: message` lines, anything else as the reason, then the
server's formatted traceback, then `extra`.
"""
import errno
import traceback

ENOTAUTHENTICATED = 207
ENOMETHOD = 201
_NAMES = {ENOMETHOD: 'ENOMETHOD', ENOTAUTHENTICATED: 'ENOTAUTHENTICATED'}


class ValidationErrors(Exception):
    def __init__(self, errors=None):
        super().__init__('validation failed')
        self.errors = list(errors or [])  # (attribute or None, message, errno)

    def add(self, attribute, message, code=errno.EINVAL):
        self.errors.append((attribute, message, code))

    def add_child(self, prefix, other):
        for attribute, message, code in other.errors:
            self.errors.append((f'{prefix}.{attribute}' if attribute else prefix, message, code))

    def check(self):
        if self.errors:
            raise self

    def __bool__(self):
        return bool(self.errors)


def instance_not_found(message):
    # CRUDService.get_instance raises InstanceNotFound: a validation error with no attribute (`ALL`).
    return ValidationErrors([(None, message, errno.ENOENT)])


class CallError(Exception):
    def __init__(self, message, code=errno.EFAULT, extra=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra

    def __str__(self):
        return f'[{_NAMES.get(self.code) or errno.errorcode.get(self.code, "EFAULT")}] {self.message}'


class NotAuthenticated(Exception):
    pass


def to_wire(exc):
    """Turn an exception raised by a method into the JSON the daemon sends to midclt."""
    if isinstance(exc, ValidationErrors):
        return {'validation': [[a, m, c] for a, m, c in exc.errors]}
    if isinstance(exc, NotAuthenticated):
        return {'reason': 'Not authenticated', 'trace': None, 'extra': None}
    trace = ''.join(traceback.format_exception(exc))
    extra = exc.extra if isinstance(exc, CallError) else None
    return {'reason': str(exc), 'trace': trace, 'extra': extra}
