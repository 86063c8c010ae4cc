import { effectiveRules, groupsOf, type AccessDoc } from './access-doc';
import { allowsEverywhere } from './rules';

/**
 * Who can administer the registry, and the words for refusing a change that would leave nobody.
 * An administrator is a user who can log in (a usable bcrypt hash in the htpasswd) and holds
 * `admin@*`, their own or through a group; while there is no access file that is every user
 * who can log in (registry:2 behaviour). Without one, nobody can manage users or rights again
 * but by editing the files by hand.
 */

/**
 * The administrators, in htpasswd order. `logins` holds the users who can log in (as
 * parseHtpasswd reads them); `doc` is the access file, undefined while there is none.
 */
export function administrators(logins: ReadonlyMap<string, string>, doc: AccessDoc | undefined): string[] {
  return [...logins.keys()].filter((user) => !doc || allowsEverywhere(effectiveRules(doc, user), 'admin'));
}

/** `a`, `a and b`, `a, b and c`, `a, b, c, d, e and 3 others`. */
function names(list: readonly string[]): string {
  const shown = list.length > 6 ? [...list.slice(0, 5), `${list.length - 5} others`] : list;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** `alice`, or `alice (through group ops)` when the user holds admin@* only through groups. */
function withSource(user: string, doc: AccessDoc): string {
  if (allowsEverywhere(doc.users.get(user) ?? [], 'admin')) return user;
  const through = groupsOf(doc, user).filter((g) => allowsEverywhere(doc.groups.get(g) ?? [], 'admin'));
  return through.length ? `${user} (through group ${through.join(', ')})` : user;
}

/**
 * Why `what` ("remove alice") is refused: the administrators it would leave without admin@*, and
 * what to do first. One line, for the CLI, the API and the GUI alike.
 */
export function lastAdminMessage(what: string, admins: readonly string[], doc: AccessDoc | undefined): string {
  const one = admins.length === 1;
  const noneLeft = 'and the registry would have no administrator left';
  if (!doc) {
    return (
      `cannot ${what}: ${names(admins)} ${one ? 'is the only user' : 'are the only users'} who can log in ` +
      `(without an access file every user has admin@*), ${noneLeft}; add another user first (berth user add NAME --access 'admin@*')`
    );
  }
  return (
    `cannot ${what}: ${names(admins.map((a) => withSource(a, doc)))} ${one ? 'is the only user' : 'are the only users'} with admin@*, ` +
    `${noneLeft}; give another user admin@* first (berth user access NAME 'admin@*')`
  );
}
