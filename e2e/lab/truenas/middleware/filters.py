"""Query-filters and query-options, as `interface.query` takes them (fact sheet §1)."""
import re

from .errors import ValidationErrors


class MatchNotFound(IndexError):
    """Raised by `get: true` with no match; the real middleware raises it with no message."""


def _get(item, path):
    value = item
    for part in path.split('.'):
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _ci(op, a, b):
    return (a.lower() if isinstance(a, str) else a), (b.lower() if isinstance(b, str) else b)


def _compare(op, left, right):
    if op.startswith('C') and len(op) > 1:
        left, right = _ci(op, left, right)
        op = op[1:]
    try:
        if op == '=':
            return left == right
        if op == '!=':
            return left != right
        if op == '>':
            return left is not None and left > right
        if op == '>=':
            return left is not None and left >= right
        if op == '<':
            return left is not None and left < right
        if op == '<=':
            return left is not None and left <= right
        if op == '~':
            return left is not None and re.match(right, left) is not None
        if op == 'in':
            return left in right
        if op == 'nin':
            return left not in right
        if op == 'rin':
            return left is not None and right in left
        if op == 'rnin':
            return left is None or right not in left
        if op == '^':
            return isinstance(left, str) and left.startswith(right)
        if op == '!^':
            return not (isinstance(left, str) and left.startswith(right))
        if op == '$':
            return isinstance(left, str) and left.endswith(right)
        if op == '!$':
            return not (isinstance(left, str) and left.endswith(right))
    except TypeError:
        return False
    raise ValueError(f'Invalid operation: {op}')


def _matches(item, filters):
    for f in filters:
        if not isinstance(f, (list, tuple)):
            raise ValueError('Filter must be a list: {}'.format(f))
        if len(f) == 2 and f[0] == 'OR':
            if not any(_matches(item, [sub] if _is_single(sub) else sub) for sub in f[1]):
                return False
            continue
        if len(f) != 3:
            raise ValueError('Invalid filter {}'.format(f))
        if not _compare(f[1], _get(item, f[0]), f[2]):
            return False
    return True


def _is_single(f):
    return isinstance(f, (list, tuple)) and len(f) == 3 and isinstance(f[0], str) and f[0] != 'OR'


def _order_key(field):
    nulls_first = field.startswith('nulls_first:')
    field = field.split(':', 1)[1] if ':' in field and field.split(':', 1)[0] in ('nulls_first', 'nulls_last') else field
    reverse = field.startswith('-')
    return field.lstrip('-'), reverse, nulls_first


def _select(item, select):
    out = {}
    for entry in select:
        if isinstance(entry, (list, tuple)):
            source, target = entry
        else:
            source = target = entry
        if _get(item, source) is None and not _has(item, source):
            continue
        value = _get(item, source)
        if isinstance(entry, (list, tuple)) or '.' not in source:
            out[target] = value
        else:
            parts = source.split('.')
            cur = out
            for p in parts[:-1]:
                cur = cur.setdefault(p, {})
            cur[parts[-1]] = value
    return out


def _has(item, path):
    value = item
    for part in path.split('.'):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def check_args(filters, options):
    verrors = ValidationErrors()
    if filters is not None and not isinstance(filters, list):
        verrors.add('query-filters', 'Not a list')
    if options is not None and not isinstance(options, dict):
        verrors.add('query-options', 'A dict was expected')
    verrors.check()


def filter_list(items, filters=None, options=None):
    filters = filters or []
    options = options or {}
    result = [i for i in items if _matches(i, filters)]
    for field in reversed(options.get('order_by') or []):
        name, reverse, nulls_first = _order_key(field)
        present = [i for i in result if _get(i, name) is not None]
        absent = [i for i in result if _get(i, name) is None]
        present.sort(key=lambda i: _get(i, name), reverse=reverse)
        result = absent + present if nulls_first else present + absent
    if options.get('offset'):
        result = result[options['offset']:]
    if options.get('limit'):
        result = result[:options['limit']]
    if options.get('count'):
        return len(result)
    if options.get('select'):
        result = [_select(i, options['select']) for i in result]
    if options.get('get'):
        if not result:
            raise MatchNotFound()
        return result[0]
    return result
