import { isValidName } from '../../core/names';
import type { Need } from '../required-access';
import { allows, type Right, type Rule } from '../rules';
import type { TokenAccess } from './signer';

/** Token actions per right (registry:2's names); admin is `*`. */
const ACTION: Record<Right, string> = { pull: 'pull', push: 'push', delete: 'delete', admin: '*' };

/**
 * Parses `scope` values (`repository:team/app:pull,push`, `registry:catalog:*`; one value may hold
 * several scopes separated by spaces). The name is what lies between the first and the last colon;
 * a resource type class (`repository(plugin)`) is dropped. Malformed scopes are skipped.
 */
export function parseScopes(values: readonly string[]): TokenAccess[] {
  const out: TokenAccess[] = [];
  for (const s of values.flatMap((v) => v.split(' ')).filter(Boolean)) {
    const a = s.indexOf(':');
    const b = s.lastIndexOf(':');
    if (a <= 0 || b === a) continue;
    const type = s.slice(0, a).replace(/\(.*\)$/, '');
    const name = s.slice(a + 1, b);
    const actions = s.slice(b + 1).split(',').filter(Boolean);
    if (name && actions.length) out.push({ type, name, actions });
  }
  return out;
}

/**
 * What a token may carry: each requested action the rules grant. `*` on a repository is granted
 * with admin there; `registry:catalog:*` to every logged-in user (the catalog itself is filtered by
 * pull rights). Actions nobody asked for are never added.
 */
export function grantScopes(requested: readonly TokenAccess[], rules: readonly Rule[], loggedIn: boolean): TokenAccess[] {
  const out: TokenAccess[] = [];
  for (const r of requested) {
    let actions: string[] = [];
    if (r.type === 'repository' && isValidName(r.name)) {
      actions = r.actions.filter((a) => {
        const right = (Object.keys(ACTION) as Right[]).find((k) => ACTION[k] === a);
        return right !== undefined && allows(rules, right, r.name);
      });
    } else if (r.type === 'registry' && r.name === 'catalog' && loggedIn) {
      actions = r.actions.filter((a) => a === '*');
    }
    actions = [...new Set(actions)];
    if (actions.length) out.push({ type: r.type, name: r.name, actions });
  }
  return out;
}

/** True when the token's access list covers the need (the right's action or `*`). */
export function tokenGrants(access: readonly TokenAccess[], need: Need): boolean {
  const action = ACTION[need.right];
  return access.some(
    (a) => a.type === 'repository' && a.name === need.repo && (a.actions.includes(action) || a.actions.includes('*')),
  );
}

/** The challenge's `scope` for some needs: `repository:app:pull,push` (pull added to push, as docker asks). */
export function challengeScope(needs: readonly Need[]): string {
  const byRepo = new Map<string, Set<string>>();
  for (const n of needs) {
    const set = byRepo.get(n.repo) ?? new Set<string>();
    if (n.right === 'push') set.add('pull');
    set.add(ACTION[n.right]);
    byRepo.set(n.repo, set);
  }
  return [...byRepo].map(([repo, actions]) => `repository:${repo}:${[...actions].join(',')}`).join(' ');
}
