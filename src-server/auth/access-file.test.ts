import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AccessFile, AccessFileError, emptyAccessDoc, formatAccessYaml, parseAccessYaml, readAccessFile, writeAccessFile, type AccessDoc } from './access-file';
import { effectiveRules, groupNameProblem } from './access-doc';
import { formatRules, parseRules } from './rules';

const dir = mkdtempSync(join(tmpdir(), 'berth-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A path in a new empty folder. */
function fresh(name = 'access.yml'): string {
  const sub = join(dir, `${++n}`);
  mkdirSync(sub);
  return join(sub, name);
}

/** Users and anonymous as text, for compact comparisons. */
function flat(doc: AccessDoc): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, rules] of doc.users) out[name] = formatRules(rules) + (doc.memberOf.has(name) ? ` in ${doc.memberOf.get(name)!.join(',')}` : '');
  for (const [name, rules] of doc.groups) out[`group ${name}`] = formatRules(rules);
  out['(anonymous)'] = formatRules(doc.anonymous);
  return out;
}

const doc = (users: Record<string, string>, anonymous = ''): AccessDoc => ({
  ...emptyAccessDoc(),
  users: new Map(Object.entries(users).map(([k, v]) => [k, parseRules(v)])),
  anonymous: parseRules(anonymous),
});

describe('parseAccessYaml', () => {
  it('reads users and anonymous rules in the documented format', () => {
    const text = 'users:\n  admin: "admin@*"\n  alice: "pull@*,push@team/*"\nanonymous: "pull@public/*"   # public namespace\n';
    expect(flat(parseAccessYaml(text))).toEqual({ admin: 'admin@*', alice: 'pull@*,push@team/*', '(anonymous)': 'pull@public/*' });
  });

  it('takes unquoted rules, lists of rules, empty values, number-like names and an empty file', () => {
    const text = 'users:\n  bob: pull@*\n  carol:\n    - pull@a/*\n    - push@b/* delete@b/*\n  dave:\n  "007": pull@bond\n';
    expect(flat(parseAccessYaml(text))).toEqual({
      bob: 'pull@*',
      carol: 'pull@a/*,push@b/*,delete@b/*',
      dave: '',
      '007': 'pull@bond',
      '(anonymous)': '',
    });
    expect(flat(parseAccessYaml(''))).toEqual({ '(anonymous)': '' });
    expect(flat(parseAccessYaml('users:\n'))).toEqual({ '(anonymous)': '' });
  });

  it.each([
    ['users:\n  a: "pul@*"\n', 'users.a: unknown right "pul" in "pul@*" (use pull, push, delete, admin)'],
    ['users:\n  a: "pull@Team"\n', 'users.a: invalid repository pattern "Team"'],
    ['anonymous: "push@x!"\n', 'anonymous: invalid repository pattern'],
    ['user:\n  a: pull\n', 'unknown key "user" (expected users, groups and anonymous)'],
    ['users:\n  a: pull\n  a: push\n', 'YAML error on line 3: Map keys must be unique'],
    ['users: {a: "pull@*"\n', 'YAML error on line 2: Flow map'],
    ['users:\n  a b: pull\n', 'users: invalid user name'],
    ['users:\n  anonymous: pull\n', 'users: "anonymous" is reserved'],
    ['users: [alice]\n', 'users: expected a mapping of user name to rules'],
    ['users:\n  a: {pull: x}\n', 'users.a: unknown key "pull" (expected access and groups)'],
    ['users:\n  a: [{pull: x}]\n', 'users.a: expected rules such as'],
    ['- a\n', 'expected a mapping with users, groups and anonymous'],
  ])('refuses %j', (text, message) => {
    expect(() => parseAccessYaml(text)).toThrow(AccessFileError);
    expect(() => parseAccessYaml(text)).toThrow(message);
  });
});

describe('formatAccessYaml', () => {
  it('writes a fresh file with an explanatory header that parses back to the same rules', () => {
    const d = doc({ admin: 'admin@*', alice: 'pull@*,push@team/*' }, 'pull@public/*');
    const text = formatAccessYaml(d);
    expect(text).toMatch(/^# Berth access rules/);
    expect(text).toContain('  admin: "admin@*"\n  alice: "pull@*,push@team/*"\nanonymous: "pull@public/*"\n');
    expect(flat(parseAccessYaml(text))).toEqual(flat(d));
  });

  it('edits a hand-written file in place: comments and order survive, removed users go, anonymous can be cleared', () => {
    const base = '# ours\nusers:\n  admin: admin@*   # the boss\n  bob: pull@*\n  carol: pull@x\nanonymous: pull@public/*\n# end\n';
    const d = parseAccessYaml(base);
    d.users.delete('bob');
    d.users.set('carol', parseRules('push@x'));
    d.users.set('dave', []);
    d.anonymous = [];
    const text = formatAccessYaml(d, base);
    expect(text).toBe('# ours\nusers:\n  admin: admin@* # the boss\n  carol: "push@x"\n  dave: ""\n\n# end\n');
    expect(flat(parseAccessYaml(text))).toEqual(flat(d));
  });

  it('keeps a user whose name YAML reads as a number under one key', () => {
    const base = 'users:\n  7: pull@*\n  alice: pull@*\n';
    const d = parseAccessYaml(base);
    expect([...d.users.keys()]).toEqual(['7', 'alice']);
    d.users.set('alice', parseRules('push@*'));
    const text = formatAccessYaml(d, base);
    expect(flat(parseAccessYaml(text))).toEqual({ 7: 'pull@*', alice: 'push@*', '(anonymous)': '' });
    expect(text.match(/7/g)).toHaveLength(1);
  });

  it('starts over when the base does not parse', () => {
    const text = formatAccessYaml(doc({ a: 'pull@*' }), 'users: [broken');
    expect(text).toMatch(/^# Berth access rules/);
    expect(flat(parseAccessYaml(text))).toEqual({ a: 'pull@*', '(anonymous)': '' });
  });
});

describe('groups in the access file', () => {
  const text = [
    '# team rights',
    'users:',
    '  admin: "admin@*"',
    '  alice:             # in two groups',
    '    access: "pull@*"',
    '    groups: [ci, ops]',
    '  bob:',
    '    groups: ci       # a comma list works too',
    'groups:',
    '  ci: "push@ci/*"    # build machines',
    '  ops: delete@*',
    '  empty:',
    '',
  ].join('\n');

  it('reads groups and each user\'s membership beside the plain form', () => {
    expect(flat(parseAccessYaml(text))).toEqual({
      admin: 'admin@*',
      alice: 'pull@* in ci,ops',
      bob: ' in ci',
      'group ci': 'push@ci/*',
      'group ops': 'delete@*',
      'group empty': '',
      '(anonymous)': '',
    });
  });

  it('a user\'s rights are their own and their groups\', each rule once', () => {
    const d = parseAccessYaml(text);
    expect(formatRules(effectiveRules(d, 'alice'))).toBe('pull@*,push@ci/*,delete@*');
    expect(formatRules(effectiveRules(d, 'bob'))).toBe('push@ci/*');
    expect(formatRules(effectiveRules(d, 'admin'))).toBe('admin@*');
    expect(effectiveRules(d, 'nobody')).toEqual([]);
    d.users.set('bob', parseRules('push@ci/*,pull@x'));
    expect(formatRules(effectiveRules(d, 'bob'))).toBe('push@ci/*,pull@x');
  });

  it('writes changes into the text: comments stay, a user joins and leaves groups, groups come and go', () => {
    const d = parseAccessYaml(text);
    d.memberOf.set('alice', ['ops']);
    d.memberOf.delete('bob');
    d.users.set('carol', []);
    d.memberOf.set('carol', ['ci']);
    d.groups.delete('empty');
    d.groups.set('ops', parseRules('delete@*,push@ops/*'));
    const out = formatAccessYaml(d, text);
    expect(out).toContain('# team rights\n');
    expect(out).toContain('  alice:\n    # in two groups\n    access: "pull@*"\n    groups: [ ops ]\n');
    expect(out).toContain('  bob: ""\n');
    expect(out).toContain('  carol:\n    groups: [ ci ]\n');
    expect(out).toContain('  ci: "push@ci/*" # build machines\n');
    expect(out).toContain('  ops: "delete@*,push@ops/*"\n');
    expect(out).not.toContain('empty');
    expect(flat(parseAccessYaml(out))).toEqual(flat(d));
  });

  it('drops the groups section with its last group, and a fresh file documents the format', () => {
    const d = parseAccessYaml(text);
    d.memberOf.clear();
    d.groups.clear();
    expect(formatAccessYaml(d, text)).not.toMatch(/^groups:/m);
    const fresh = formatAccessYaml(parseAccessYaml(text));
    expect(fresh).toMatch(/^# Berth access rules/);
    expect(fresh).toContain("# groups:\n#   GROUP: \"right@pattern,...\"      a user's rights are their own plus those of their groups\n");
    expect(fresh).toContain('  alice:\n    access: "pull@*"\n    groups: [ ci, ops ]\n');
    expect(flat(parseAccessYaml(fresh))).toEqual(flat(parseAccessYaml(text)));
  });

  it.each([
    ['users:\n  a:\n    groups: [ci]\n', 'users.a: unknown group "ci" (define it under groups:)'],
    ['users:\n  a:\n    groups: [ci]\ngroups:\n  cj: pull@*\n', 'users.a: unknown group "ci"'],
    ['users:\n  a:\n    acces: pull@*\n', 'users.a: unknown key "acces" (expected access and groups)'],
    ['users:\n  a:\n    groups: [{x: 1}]\n', 'users.a.groups: expected group names such as [ci, ops]'],
    ['users:\n  a:\n    access: pul@*\n', 'users.a.access: unknown right "pul"'],
    ['groups:\n  CI: pull@*\n', 'groups: invalid group name "CI": use 1 to 64 lower-case letters'],
    ['groups:\n  007: pull@*\n', 'groups: invalid group name "7"'],
    ['groups:\n  "../x": pull@*\n', 'groups: invalid group name "../x"'],
    ['groups:\n  __proto__: pull@*\n', 'groups: invalid group name "__proto__"'],
    ['groups:\n  anonymous: pull@*\n', 'groups: "anonymous" is reserved'],
    ['groups:\n  ci: fly@*\n', 'groups.ci: unknown right "fly"'],
    ['groups: [ci]\n', 'groups: expected a mapping of group name to rules'],
    ['groups:\n  ci: pull@*\n  ci: push@*\n', 'YAML error on line 3: Map keys must be unique'],
  ])('refuses %j', (bad, message) => {
    expect(() => parseAccessYaml(bad)).toThrow(AccessFileError);
    expect(() => parseAccessYaml(bad)).toThrow(message);
  });
});

describe('groupNameProblem', () => {
  it('takes short lower-case names and refuses what YAML, shells or people would misread', () => {
    for (const ok of ['ci', 'team-a', 'ops.eu_1', `g${'x'.repeat(63)}`]) expect(groupNameProblem(ok), ok).toBeNull();
    for (const bad of ['', 'Ops', '1st', '-x', 'a b', 'a,b', 'a:b', 'true'.toUpperCase(), `g${'x'.repeat(64)}`, 'é', 'a/b', '*']) {
      expect(groupNameProblem(bad), bad).toMatch(/^invalid group name/);
    }
    expect(groupNameProblem('anonymous')).toMatch(/reserved/);
  });
});

describe('reading and writing the file', () => {
  it('writes atomically with mode 0600 and reads back; a missing file reads as undefined', () => {
    const path = fresh();
    expect(readAccessFile(path)).toBeUndefined();
    writeAccessFile(path, doc({ admin: 'admin@*' }));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const read = readAccessFile(path)!;
    expect(flat(read.doc)).toEqual({ admin: 'admin@*', '(anonymous)': '' });
    expect(read.text).toBe(readFileSync(path, 'utf8'));
  });

  it('names the file in errors', () => {
    const path = fresh();
    writeFileSync(path, 'users:\n  a: nope\n');
    expect(() => readAccessFile(path)).toThrow(`access file ${path}: users.a: unknown right "nope"`);
  });
});

describe('AccessFile', () => {
  /** A clock the test moves by hand. */
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('without a file: every user has admin@*, anonymous nothing, and one warning however often asked', () => {
    const path = fresh();
    const warnings: string[] = [];
    const c = clock();
    const access = new AccessFile(path, { now: c.now, onWarning: (w) => warnings.push(w) });
    for (let i = 0; i < 3; i++) {
      expect(access.exists()).toBe(false);
      expect(access.rulesFor('anyone')).toEqual([{ right: 'admin', pattern: '*' }]);
      expect(access.anonymousRules()).toEqual([]);
      c.advance(1500);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`access file ${path} does not exist: every htpasswd user has every right`);
  });

  it('reads the rules; users not listed have none', () => {
    const path = fresh();
    writeAccessFile(path, doc({ alice: 'pull@*,push@team/*' }, 'pull@public/*'));
    const access = new AccessFile(path);
    expect(access.exists()).toBe(true);
    expect(formatRules(access.rulesFor('alice'))).toBe('pull@*,push@team/*');
    expect(access.rulesFor('bob')).toEqual([]);
    expect(formatRules(access.anonymousRules())).toBe('pull@public/*');
  });

  it('re-reads a changed file, checking at most once a second', () => {
    const path = fresh();
    writeAccessFile(path, doc({ alice: 'pull@*' }));
    const c = clock();
    const access = new AccessFile(path, { now: c.now });
    writeFileSync(path, 'users:\n  alice: "push@team/*"\n  bob: "pull@*"\n');
    c.advance(500);
    expect(formatRules(access.rulesFor('alice'))).toBe('pull@*');
    c.advance(600);
    expect(formatRules(access.rulesFor('alice'))).toBe('push@team/*');
    expect(formatRules(access.rulesFor('bob'))).toBe('pull@*');
  });

  it('gives a user their groups\' rights too, and takes a group away on the next check', () => {
    const path = fresh();
    writeFileSync(path, 'users:\n  alice:\n    access: pull@*\n    groups: [ci]\ngroups:\n  ci: push@ci/*\n');
    const c = clock();
    const access = new AccessFile(path, { now: c.now });
    expect(formatRules(access.rulesFor('alice'))).toBe('pull@*,push@ci/*');
    writeFileSync(path, 'users:\n  alice: pull@*\n');
    c.advance(1100);
    expect(formatRules(access.rulesFor('alice'))).toBe('pull@*');
  });

  it('keeps the last good rules when an edit breaks the file, warns once, and takes the fix', () => {
    const path = fresh();
    writeAccessFile(path, doc({ alice: 'pull@*' }));
    const warnings: string[] = [];
    const c = clock();
    const access = new AccessFile(path, { now: c.now, onWarning: (w) => warnings.push(w) });
    writeFileSync(path, 'users:\n  alice: "pull@*,admin@*,oops@x"\n');
    for (let i = 0; i < 3; i++) {
      c.advance(1100);
      expect(formatRules(access.rulesFor('alice'))).toBe('pull@*');
    }
    expect(warnings).toEqual([`access file ${path}: users.alice: unknown right "oops" in "oops@x" (use pull, push, delete, admin); keeping the rules loaded before`]);
    writeFileSync(path, 'users:\n  alice: "push@*"\n');
    c.advance(1100);
    expect(formatRules(access.rulesFor('alice'))).toBe('push@*');
  });

  it('keeps the rules when the file disappears (an editor replacing it must not open the registry)', () => {
    const path = fresh();
    writeAccessFile(path, doc({ alice: 'pull@x' }));
    const warnings: string[] = [];
    const c = clock();
    const access = new AccessFile(path, { now: c.now, onWarning: (w) => warnings.push(w) });
    unlinkSync(path);
    c.advance(1100);
    expect(access.exists()).toBe(true);
    expect(formatRules(access.rulesFor('alice'))).toBe('pull@x');
    expect(access.rulesFor('mallory')).toEqual([]);
    expect(warnings[0]).toContain('disappeared; keeping the rules loaded before');
  });

  it('takes up a file created after start; a broken one then grants nothing rather than everything', () => {
    const good = fresh();
    const c = clock();
    const a = new AccessFile(good, { now: c.now, onWarning: () => {} });
    expect(a.exists()).toBe(false);
    writeAccessFile(good, doc({ alice: 'pull@*' }));
    c.advance(1100);
    expect(a.exists()).toBe(true);
    expect(a.rulesFor('bob')).toEqual([]);

    const bad = fresh();
    const warnings: string[] = [];
    const b = new AccessFile(bad, { now: c.now, onWarning: (w) => warnings.push(w) });
    writeFileSync(bad, 'users: [');
    c.advance(1100);
    expect(b.rulesFor('alice')).toEqual([]);
    expect(warnings[1]).toContain('nobody has any right until it is fixed');
  });

  it('refuses to start on a broken file, naming the file and the problem', () => {
    const path = fresh();
    writeFileSync(path, 'users:\n  alice: "pull@*"\n  alice: "push@*"\n');
    expect(() => new AccessFile(path)).toThrow(`access file ${path}: YAML error on line 3: Map keys must be unique`);
  });
});
