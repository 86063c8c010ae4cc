import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditPage, AuditQuery } from '../../../../../src-server/contract';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { ActivityScreen } from './ActivityScreen';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  time: '2026-12-07T10:00:00.000Z',
  user: 'alice',
  address: '192.0.2.7',
  via: 'registry',
  action: 'tag.push',
  target: 'team/app:1.0',
  result: 'ok',
  ...over,
});

const lastCall = (api: ReturnType<typeof createFakeApi>) => api.calls.filter((c) => c.channel === 'audit:list').at(-1)!.args as AuditQuery;

describe('ActivityScreen', () => {
  it('shows a loader, then an error in words', async () => {
    const api = createFakeApi({ 'audit:list': { pending: true } });
    renderScreen(<ActivityScreen />, api);
    expect(await screen.findByText('Reading the activity log…')).toBeTruthy();
    const failing = createFakeApi({ 'audit:list': { error: { code: 'UNSUPPORTED', message: 'audit:list is not available here' } } });
    renderScreen(<ActivityScreen />, failing);
    expect((await screen.findByRole('alert')).textContent).toContain('audit:list is not available here');
  });

  it('says what shows up here when nothing happened in the period, and asks the last week by default', async () => {
    const api = createFakeApi({ 'audit:list': { entries: [], next: null } });
    renderScreen(<ActivityScreen />, api);
    expect(await screen.findByText('No changes (last 7 days)')).toBeTruthy();
    const q = lastCall(api);
    expect(Date.now() - Date.parse(q.since!)).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(Date.now() - Date.parse(q.since!)).toBeLessThan(7 * 86_400_000 + 60_000);
    expect(q.user).toBeUndefined();
    expect(q.actions).toBeUndefined();
  });

  it('lists entries in words: who, from where, what, on what, how it ended, and the details', async () => {
    const api = createFakeApi({
      'audit:list': {
        entries: [
          entry({ action: 'login.fail', user: 'mallory', address: '198.51.100.9', target: 'mallory', result: 'ok' }),
          entry({ action: 'tag.push', user: 'bob', target: 'team/app:2.0', result: 'DENIED' }),
          entry({ action: 'gc.run', user: 'root', address: 'local', via: 'cli', target: 'registry', detail: { blobs: 3, bytes: 1200 } }),
        ],
        next: null,
      },
    });
    renderScreen(<ActivityScreen />, api);
    const rows = await screen.findAllByTestId('activity-row');
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByText('Failed login')).toBeTruthy();
    expect(within(rows[0]!).getByText('registry client · 198.51.100.9')).toBeTruthy();
    expect(within(rows[1]!).getByText('DENIED')).toBeTruthy();
    expect(within(rows[1]!).getByText('team/app:2.0')).toBeTruthy();
    expect(within(rows[2]!).getByText('command line')).toBeTruthy();
    // The details read as one line; each fact is its own span, so that a line breaks only between facts.
    expect(within(rows[2]!).getByText((_, el) => el?.tagName === 'P' && el.textContent === 'blobs: 3 · bytes: 1200')).toBeTruthy();
    expect(within(rows[2]!).getByText('blobs: 3').className).toBe('berth-fact');
    expect(within(rows[2]!).getByText('done')).toBeTruthy();
    expect(screen.getByTestId('activity-count').textContent).toBe('3 entries');
  });

  it('loads older entries with the cursor the page handed out', async () => {
    const pages: Record<string, AuditPage> = {
      first: { entries: [entry({ target: 'a:3' }), entry({ target: 'a:2' })], next: 'CURSOR-1' },
      second: { entries: [entry({ target: 'a:1' })], next: null },
    };
    const api = createFakeApi({ 'audit:list': (q) => (q.cursor === 'CURSOR-1' ? pages.second! : pages.first!) });
    renderScreen(<ActivityScreen />, api);
    expect(await screen.findByText('a:2')).toBeTruthy();
    expect(screen.getByTestId('activity-count').textContent).toBe('2 entries (older ones below)');
    fireEvent.click(screen.getByTestId('activity-older'));
    expect(await screen.findByText('a:1')).toBeTruthy();
    expect(lastCall(api).cursor).toBe('CURSOR-1');
    expect(screen.queryByTestId('activity-older')).toBeNull();
    expect(screen.getAllByTestId('activity-row').map((r) => within(r).getByText(/^a:\d$/).textContent)).toEqual(['a:3', 'a:2', 'a:1']);
  });

  it('filters by user, kind and period on the server', async () => {
    const api = createFakeApi({ 'audit:list': (q) => ({ entries: q.user === 'bob' && !q.actions ? [entry({ user: 'bob' })] : [], next: null }) });
    renderScreen(<ActivityScreen />, api);
    await screen.findByText('No changes (last 7 days)');
    fireEvent.change(screen.getByTestId('activity-user'), { target: { value: 'bob' } });
    await waitFor(() => expect(lastCall(api).user).toBe('bob'));
    expect(await screen.findByText('bob')).toBeTruthy();

    fireEvent.change(screen.getByTestId('activity-kind'), { target: { value: 'access' } });
    await waitFor(() => expect(lastCall(api).actions).toEqual(['user.', 'group.', 'anonymous.']));
    expect(await screen.findByText('Nothing matches')).toBeTruthy();

    fireEvent.change(screen.getByTestId('activity-period'), { target: { value: 'all' } });
    await waitFor(() => expect(lastCall(api).since).toBeUndefined());
  });
});
