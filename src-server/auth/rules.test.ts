import { describe, expect, it } from 'vitest';
import { allows, allowsEverywhere, formatRules, matchesPattern, parseRules, RuleSyntaxError } from './rules';

describe('access rules', () => {
  it('parses the seeds form and formats it back', () => {
    const rules = parseRules('pull@*,push@team/*  delete@team/tmp-?');
    expect(rules).toEqual([
      { right: 'pull', pattern: '*' },
      { right: 'push', pattern: 'team/*' },
      { right: 'delete', pattern: 'team/tmp-?' },
    ]);
    expect(formatRules(rules)).toBe('pull@*,push@team/*,delete@team/tmp-?');
    expect(parseRules('')).toEqual([]);
    expect(parseRules('admin')).toEqual([{ right: 'admin', pattern: '*' }]);
  });

  it('refuses unknown rights and bad patterns with a message naming them', () => {
    expect(() => parseRules('read@*')).toThrow(RuleSyntaxError);
    expect(() => parseRules('read@*')).toThrow(/read/);
    expect(() => parseRules('pull@Team/*')).toThrow(/Team/);
    expect(() => parseRules('pull@a b')).toThrow(/"b"/); // whitespace separates rules
  });

  it('matches whole names; * crosses slashes, ? is one character, dots are literal', () => {
    expect(matchesPattern('team/*', 'team/app')).toBe(true);
    expect(matchesPattern('team/*', 'team/a/b')).toBe(true);
    expect(matchesPattern('team/*', 'teamx/app')).toBe(false);
    expect(matchesPattern('team/*', 'other/team/app')).toBe(false);
    expect(matchesPattern('app.v?', 'app.v2')).toBe(true);
    expect(matchesPattern('app.v?', 'appxv2')).toBe(false);
    expect(matchesPattern('*', 'anything/at/all')).toBe(true);
  });

  it('push and delete imply pull; admin implies everything; nothing implies more', () => {
    const rules = parseRules('push@team/*,delete@tmp/*,admin@ops/*');
    expect(allows(rules, 'pull', 'team/a')).toBe(true);
    expect(allows(rules, 'push', 'team/a')).toBe(true);
    expect(allows(rules, 'delete', 'team/a')).toBe(false);
    expect(allows(rules, 'pull', 'tmp/x')).toBe(true);
    expect(allows(rules, 'push', 'tmp/x')).toBe(false);
    expect(allows(rules, 'delete', 'tmp/x')).toBe(true);
    for (const r of ['pull', 'push', 'delete', 'admin'] as const) expect(allows(rules, r, 'ops/db')).toBe(true);
    expect(allows(rules, 'pull', 'elsewhere')).toBe(false);
    expect(allowsEverywhere(rules, 'pull')).toBe(false);
    expect(allowsEverywhere(parseRules('pull@*'), 'pull')).toBe(true);
  });
});
