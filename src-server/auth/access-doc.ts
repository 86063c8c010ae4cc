import { formatRules, type Rule } from './rules';

/**
 * The access file's content in memory: each user's own rules, the groups they belong to, the
 * groups' rules and the rules of callers who do not log in. A user's rights are the union of
 * their own rules and those of their groups.
 */

/** The parsed access file. */
export interface AccessDoc {
  /** Each user's own rules, in file order (every user the file lists, members of groups included). */
  users: Map<string, Rule[]>;
  /** The groups of each user who belongs to any, in the order written; every name is in `groups`. */
  memberOf: Map<string, string[]>;
  /** Rules per group name, in file order. */
  groups: Map<string, Rule[]>;
  /** Rules for callers who do not log in (none when absent). */
  anonymous: Rule[];
}

/** An access document with nobody in it. */
export function emptyAccessDoc(): AccessDoc {
  return { users: new Map(), memberOf: new Map(), groups: new Map(), anonymous: [] };
}

/** A deep copy, for a change that may be refused after it was worked out. */
export function cloneAccessDoc(doc: AccessDoc): AccessDoc {
  return {
    users: new Map([...doc.users].map(([k, v]) => [k, [...v]])),
    memberOf: new Map([...doc.memberOf].map(([k, v]) => [k, [...v]])),
    groups: new Map([...doc.groups].map(([k, v]) => [k, [...v]])),
    anonymous: [...doc.anonymous],
  };
}

/** The groups a user belongs to (none when not listed). */
export function groupsOf(doc: AccessDoc, user: string): string[] {
  return doc.memberOf.get(user) ?? [];
}

/** The members of a group, in user order. */
export function membersOf(doc: AccessDoc, group: string): string[] {
  return [...doc.memberOf].filter(([, groups]) => groups.includes(group)).map(([user]) => user);
}

/** A user's rights: their own rules, then each group's, each rule once. */
export function effectiveRules(doc: AccessDoc, user: string): Rule[] {
  const own = doc.users.get(user) ?? [];
  const groups = groupsOf(doc, user);
  if (!groups.length) return own;
  const seen = new Set<string>();
  const out: Rule[] = [];
  for (const rule of [own, ...groups.map((g) => doc.groups.get(g) ?? [])].flat()) {
    const key = formatRules([rule]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(rule);
  }
  return out;
}

const GROUP_NAME_RE = /^[a-z][a-z0-9._-]{0,63}$/;

/**
 * Why a group name cannot be used, or null when it can: 1 to 64 characters of lower-case
 * letters, digits, `.`, `_` and `-`, starting with a letter (so that YAML never reads it as a
 * number, a boolean or null, and no shell or file name needs quoting for it); not `anonymous`.
 */
export function groupNameProblem(name: string): string | null {
  if (!GROUP_NAME_RE.test(name)) {
    return `invalid group name ${JSON.stringify(name.slice(0, 80))}: use 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter`;
  }
  if (name === 'anonymous') return '"anonymous" is reserved for callers who do not log in';
  return null;
}

/** Group names from `G1,G2` (commas or whitespace between names; `''` is none), each once. */
export function parseGroupList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}
