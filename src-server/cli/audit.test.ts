import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../contract/audit';
import { formatAuditRow, sinceFrom } from './audit';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  time: '2026-12-07T10:32:12.345Z',
  user: 'alice',
  address: '192.0.2.7',
  via: 'registry',
  action: 'tag.push',
  target: 'team/app:1.0',
  result: 'ok',
  ...over,
});

describe('berth audit rows', () => {
  it('print time, user, address, action, target, then a failure and the details', () => {
    expect(formatAuditRow(entry({ detail: { digest: 'sha256:ab' } }))).toBe(
      '2026-12-07 10:32:12  alice        192.0.2.7       tag.push          team/app:1.0  digest=sha256:ab',
    );
    expect(formatAuditRow(entry({ action: 'login.fail', target: 'alice', result: 'UNAUTHORIZED' }))).toMatch(/ {2}alice {2}failed: UNAUTHORIZED$/);
  });

  it('quote what a client chose when it could break the row', () => {
    const row = formatAuditRow(entry({ user: 'eve\n2026-12-07 10:00:00  admin', target: 'x y', detail: { rules: 'pull@*, push@a' } }));
    expect(row.split('\n')).toHaveLength(1);
    expect(row).toContain('"eve\\n2026-12-07 10:00:00  admin"');
    expect(row).toContain('"x y"');
    expect(row).toContain('"rules=pull@*, push@a"');
  });
});

describe('--since', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('takes Go durations, days and dates', () => {
    expect(sinceFrom('90m', now).toISOString()).toBe('2026-12-07T10:30:00.000Z');
    expect(sinceFrom('7d', now).toISOString()).toBe('2026-11-30T12:00:00.000Z');
    expect(sinceFrom('2026-12-01T10:00:00Z', now).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(sinceFrom('2026-12-01', now).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('refuses anything else with a sentence', () => {
    for (const bad of ['yesterday', '3', 'May', '-1h', '1y']) expect(() => sinceFrom(bad, now), bad).toThrow(/neither a duration .* nor a date/);
  });
});
