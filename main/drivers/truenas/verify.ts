import { BOND_FIELD_KEYS } from '../../../preload/contract/bond-spec';
import type { PlanVerify } from '../../plan/plan-types';
import { check, text, type VerifyCheck } from '../../plan/verify-check';
import { TRUENAS_FIELDS, type Entry } from './fields';

// After the commit and before the check-in: does the middleware's view of the running kernel match
// the plan? The commit can report success while the bond is broken (truenas-middleware.md §4, §8.7),
// so this reads `interface.query`'s `state` (what the kernel runs), not the config DB.

/** `interface.query [["id","=",<bond>]]` output: a JSON list with at most one entry. */
export function verifyMiddleware(verify: PlanVerify, stdout: string): VerifyCheck[] {
  let entries: unknown;
  try {
    entries = JSON.parse(stdout.trim());
  } catch {
    return [check('Middleware answer', false, 'interface.query did not return JSON')];
  }
  if (!Array.isArray(entries)) return [check('Middleware answer', false, 'interface.query did not return a list')];
  const entry = entries[0] as Entry | undefined;
  if (verify.mode === 'absent' || verify.expected === null) {
    return [check(`${verify.bondName} is gone`, entry === undefined, entry === undefined ? 'the middleware no longer lists it' : 'the middleware still lists it')];
  }
  if (!entry || typeof entry !== 'object') return [check(`${verify.bondName} exists`, false, 'the middleware does not list it')];
  const state = (entry.state && typeof entry.state === 'object' ? entry.state : {}) as Entry;
  const checks: VerifyCheck[] = [check(`${verify.bondName} exists`, entry.fake !== true, entry.fake === true ? 'still a fake (uncommitted) entry' : 'committed to the kernel')];
  for (const key of BOND_FIELD_KEYS) checks.push(...TRUENAS_FIELDS[key].verify(verify.expected, state, verify));
  checks.push(check('Link', state.link_state === 'LINK_STATE_UP', `link state ${text(state.link_state, 'unknown')}`));
  return checks;
}
