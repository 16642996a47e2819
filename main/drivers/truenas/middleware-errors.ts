import { HOST_FIELD, type FieldError, type PlanAction } from '../../plan/plan-types';

// midclt's error text -> the editor's fields (reference/truenas-middleware.md §4 "Error format").
// Validation errors print one line each, "[ERRNAME] attribute: message"; the attribute carries the
// schema name (interface_create., interface_update., 25.10's pydantic "data.") before the field path.
// Other errors (CallError) print "[EFAULT] reason" and then a Python traceback, which is noise here.

const LINE = /^\[(E[A-Z0-9_]+)\]\s+([A-Za-z0-9_.]+):\s?(.*)$/;
const PREFIXES = ['interface_create.', 'interface_update.', 'interface.create.', 'interface.update.', 'interface.delete.', 'interface.commit.', 'data.'];
const MAX_MESSAGE = 2000;

const SIMPLE_FIELDS: Record<string, string> = {
  lag_protocol: 'protocol',
  xmit_hash_policy: 'xmitHashPolicy',
  lacpdu_rate: 'lacpduRate',
  mtu: 'mtu',
  name: 'name',
  description: 'description',
  ipv4_dhcp: 'dhcp',
  lag_ports: 'members',
  aliases: 'aliases',
};

/** Middleware attribute path (after the schema prefix) -> BondSpec field key, or null if unknown. */
export function mapMiddlewareField(attribute: string): string | null {
  let path = attribute;
  for (let again = true; again; ) {
    again = false;
    for (const p of PREFIXES) {
      if (path.startsWith(p)) {
        path = path.slice(p.length);
        again = true;
      }
    }
  }
  const parts = path.split('.');
  const head = parts[0] ?? '';
  const index = parts[1] !== undefined && /^\d+$/.test(parts[1]) ? parts[1] : null;
  if (head === 'lag_ports' && index !== null) return `members.${index}`;
  if (head === 'aliases' && index !== null) return parts[2] === 'netmask' ? `aliases.${index}.prefix` : `aliases.${index}.address`;
  return SIMPLE_FIELDS[head] ?? null;
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/** A plain-words hint for the failures a user can fix (fact sheet §8.2). */
function withHint(message: string): string {
  if (/is currently in use\.?$/.test(message)) {
    return `${message} (TrueNAS refuses ports that have their own configuration: reset that port's configuration as part of this change)`;
  }
  return message;
}

/** Maps midclt's stderr to field errors; anything without a field lands on HOST_FIELD. */
export function mapMiddlewareError(stderr: string, action: PlanAction): FieldError[] {
  const lines = stderr.split(/\r?\n/).map((l) => l.trimEnd());
  const errors: FieldError[] = [];
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, errname = '', attribute = '', rest = ''] = m;
    if (attribute === 'ALL') {
      // No attribute: for a missing instance it is the bond named in the request.
      const field = errname === 'ENOENT' && action !== 'create' ? 'name' : HOST_FIELD;
      errors.push({ field, message: clip(rest) });
      continue;
    }
    const field = mapMiddlewareField(attribute);
    errors.push(field === null ? { field: HOST_FIELD, message: clip(`${attribute}: ${rest}`) } : { field, message: clip(withHint(rest)) });
  }
  if (errors.length > 0) return errors;
  // A CallError or a client failure: its first line says it; the traceback after it does not.
  const first = lines.find((l) => l.trim() !== '');
  if (first === undefined) return [{ field: HOST_FIELD, message: 'midclt failed without printing a reason' }];
  return [{ field: HOST_FIELD, message: clip(first.replace(/^\[(E[A-Z0-9_]+)\]\s*/, '')) }];
}
