import { isMap, isNode, isScalar, parseDocument, Scalar, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { emptyAccessDoc, groupNameProblem, groupsOf, parseGroupList, type AccessDoc } from './access-doc';
import { validateUserName } from './htpasswd-store';
import { formatRules, parseRules, type Rule } from './rules';

/**
 * The access file's YAML: reading it strictly (every mistake named with where it is), and writing
 * a change into the existing text so that hand-written comments and order survive.
 *
 *   users:
 *     admin: "admin@*"
 *     alice: "pull@*,push@team/*"
 *     bob:                          # a user in groups
 *       access: "pull@*"            # their own rights (may be left out)
 *       groups: [ci, ops]
 *   groups:
 *     ci: "push@ci/*"
 *     ops: "delete@*"
 *   anonymous: "pull@public/*"      # optional; callers who do not log in
 */

/** An access file that cannot be used; the message names the file (when known) and the problem. */
export class AccessFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessFileError';
  }
}

const HEADER = `Berth access rules, re-read on change (no restart needed).
users:
  NAME: "right@pattern,..."       rights: pull; push and delete (each implies pull); admin (everything)
  NAME:                           a user in groups:
    access: "right@pattern,..."     their own rights (may be left out)
    groups: [GROUP, ...]
groups:
  GROUP: "right@pattern,..."      a user's rights are their own plus those of their groups
Patterns match whole repository names: * is any characters including /, ? is one character.
Users not listed here have no rights. anonymous: rights of callers who do not log in (none when absent).`;

const TOP_KEYS = 'users, groups and anonymous';

/** Rules from a YAML value: a string (`pull@*,push@team/*`), a list of such strings, or empty. */
function rulesOf(value: unknown, where: string): Rule[] {
  if (value === null || value === undefined) return [];
  const parts = Array.isArray(value) ? value : [value];
  const out: Rule[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') throw new AccessFileError(`${where}: expected rules such as "pull@*,push@team/*", got ${JSON.stringify(p)}`);
    try {
      out.push(...parseRules(p));
    } catch (err) {
      throw new AccessFileError(`${where}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** Group names from a YAML value: a list (`[ci, ops]`), a string (`ci,ops`), or empty. */
function groupListOf(value: unknown, where: string): string[] {
  if (value === null || value === undefined) return [];
  const parts = Array.isArray(value) ? value : [value];
  if (parts.some((p) => typeof p !== 'string')) throw new AccessFileError(`${where}: expected group names such as [ci, ops]`);
  return parseGroupList((parts as string[]).join(','));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A user's entry: rules (the plain form), or `{access, groups}`. */
function userEntryOf(value: unknown, where: string): { rules: Rule[]; groups: string[] } {
  if (!isPlainObject(value)) return { rules: rulesOf(value, where), groups: [] };
  for (const key of Object.keys(value)) {
    if (key !== 'access' && key !== 'groups') throw new AccessFileError(`${where}: unknown key "${key}" (expected access and groups)`);
  }
  return { rules: rulesOf(value.access, `${where}.access`), groups: groupListOf(value.groups, `${where}.groups`) };
}

/** The entries of a `NAME: value` section. */
function sectionOf(value: unknown, what: string): Array<[string, unknown]> {
  if (value === null || value === undefined) return [];
  if (!isPlainObject(value)) throw new AccessFileError(`${what}: expected a mapping of ${what === 'users' ? 'user' : 'group'} name to rules`);
  return Object.entries(value);
}

/** Parses access file text; throws AccessFileError (one line, with the YAML line number) when it is wrong. */
export function parseAccessYaml(text: string): AccessDoc {
  const doc = parseDocument(text, { uniqueKeys: true });
  const bad = doc.errors[0];
  if (bad) {
    const line = bad.linePos?.[0].line;
    const message = bad.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new AccessFileError(`YAML error${line ? ` on line ${line}` : ''}: ${message}`);
  }
  const js: unknown = doc.toJS({ maxAliasCount: 100 });
  const out = emptyAccessDoc();
  if (js === null || js === undefined) return out;
  if (!isPlainObject(js)) throw new AccessFileError(`expected a mapping with ${TOP_KEYS}`);
  for (const [key, value] of Object.entries(js)) {
    if (key === 'anonymous') out.anonymous = rulesOf(value, 'anonymous');
    else if (key === 'users') {
      for (const [name, entry] of sectionOf(value, 'users')) {
        try {
          validateUserName(name);
        } catch (err) {
          throw new AccessFileError(`users: ${(err as Error).message}`);
        }
        const { rules, groups } = userEntryOf(entry, `users.${name}`);
        out.users.set(name, rules);
        if (groups.length) out.memberOf.set(name, groups);
      }
    } else if (key === 'groups') {
      for (const [name, rules] of sectionOf(value, 'groups')) {
        const problem = groupNameProblem(name);
        if (problem) throw new AccessFileError(`groups: ${problem}`);
        out.groups.set(name, rulesOf(rules, `groups.${name}`));
      }
    } else throw new AccessFileError(`unknown key "${key}" (expected ${TOP_KEYS})`);
  }
  // A misspelt group must not pass unnoticed: the user would silently lack what the group grants.
  for (const [user, groups] of out.memberOf) {
    const unknown = groups.find((g) => !out.groups.has(g));
    if (unknown !== undefined) throw new AccessFileError(`users.${user}: unknown group "${unknown}" (define it under groups:)`);
  }
  return out;
}

function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

function flowList(names: readonly string[]): YAMLSeq {
  const seq = new YAMLSeq();
  seq.flow = true;
  for (const n of names) seq.items.push(new Scalar(n));
  return seq;
}

/** The JS value of a node (or of a plain value). */
const jsOf = (node: unknown): unknown => (isNode(node) ? node.toJSON() : node);

/** True when a user's node already says these rules and groups (then it stays, with its comments). */
function sameUser(node: unknown, rules: Rule[], groups: string[]): boolean {
  if (node === undefined) return false;
  try {
    const e = userEntryOf(jsOf(node), '');
    return formatRules(e.rules) === formatRules(rules) && e.groups.join(',') === groups.join(',');
  } catch {
    return false;
  }
}

/** True when a node already says these rules. */
function sameRules(node: unknown, rules: Rule[]): boolean {
  if (node === undefined) return false;
  try {
    return formatRules(rulesOf(jsOf(node), '')) === formatRules(rules);
  } catch {
    return false;
  }
}

/** Drops the entries of a section whose names the document no longer has. */
function dropOthers(map: YAMLMap, keep: (name: string) => boolean): void {
  for (const item of [...map.items]) {
    const key = isScalar(item.key) ? item.key.value : item.key;
    // A key YAML reads as a number (`007: ...`) is set again under its string name.
    if (typeof key !== 'string' || !keep(key)) map.delete(item.key);
  }
}

/** The section `key` as a block mapping, created when missing. */
function sectionNode(y: Document, key: string): YAMLMap {
  let node = y.get(key);
  if (!isMap(node)) {
    node = new YAMLMap();
    y.set(key, node);
  }
  return node as YAMLMap;
}

function writeUsers(y: Document, doc: AccessDoc): void {
  const map = sectionNode(y, 'users');
  dropOthers(map, (name) => doc.users.has(name));
  for (const [name, rules] of doc.users) {
    const groups = groupsOf(doc, name);
    const current: unknown = map.get(name, true);
    if (sameUser(current, rules, groups)) continue;
    if (!groups.length) {
      map.set(name, quoted(formatRules(rules)));
      continue;
    }
    // Edited in place when it is a mapping already, so that comments inside it stay.
    const entry = isMap(current) ? current : new YAMLMap();
    if (!rules.length) entry.delete('access');
    else if (!sameRules(entry.get('access', true), rules)) entry.set('access', quoted(formatRules(rules)));
    if (!sameGroups(entry.get('groups', true), groups)) entry.set('groups', flowList(groups));
    if (entry !== current) map.set(name, entry);
  }
  if (map.items.length) map.flow = false;
}

function sameGroups(node: unknown, groups: string[]): boolean {
  if (node === undefined) return false;
  try {
    return groupListOf(jsOf(node), '').join(',') === groups.join(',');
  } catch {
    return false;
  }
}

function writeGroups(y: Document, doc: AccessDoc): void {
  if (!doc.groups.size) {
    y.delete('groups');
    return;
  }
  const map = sectionNode(y, 'groups');
  dropOthers(map, (name) => doc.groups.has(name));
  for (const [name, rules] of doc.groups) {
    if (!sameRules(map.get(name, true), rules)) map.set(name, quoted(formatRules(rules)));
  }
  map.flow = false;
}

/**
 * The YAML text of an access document. With `base` (the file's current text, if it parses), the
 * base is edited in place so that hand-written comments and order survive; otherwise a fresh file
 * with an explanatory header.
 */
export function formatAccessYaml(doc: AccessDoc, base?: string): string {
  let y = base !== undefined ? parseDocument(base) : undefined;
  if (!y || y.errors.length || !(y.contents === null || isMap(y.contents))) {
    y = parseDocument('users: {}\n');
    y.commentBefore = HEADER.split('\n').map((l) => ` ${l}`).join('\n');
  }
  if (y.contents === null) y.contents = new YAMLMap() as never;
  writeUsers(y, doc);
  writeGroups(y, doc);
  if (doc.anonymous.length) y.set('anonymous', quoted(formatRules(doc.anonymous)));
  else y.delete('anonymous');
  return y.toString();
}
