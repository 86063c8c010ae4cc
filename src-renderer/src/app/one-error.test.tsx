/** One failure shows one error box: a hung remote that the user asks to refresh fails once, not twice. */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../api/app-api';
import type { ConnectionInfo } from '../../../src-server/contract';
import { RepositoriesScreen } from '../features/browse/components/RepositoriesScreen';
import { createFakeApi } from '../test/fake-api';
import { renderScreen } from '../test/render';

const team: ConnectionInfo = { id: 'c1', name: 'Team registry', kind: 'registry', url: 'https://reg.example.com', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };

describe('a hung remote', () => {
  it('shows one error box when the list and a refresh of it both time out', async () => {
    const waiting: Array<(err: Error) => void> = [];
    const api = createFakeApi({
      'connections:list': [team],
      'browse:repositories': () => new Promise((_, reject) => waiting.push(reject)),
    });
    renderScreen(<RepositoriesScreen connection="c1" />, api);
    expect(await screen.findByText('Listing repositories…')).toBeTruthy();
    // Stuck: the user presses Refresh.
    fireEvent.click(screen.getByTestId('repositories-refresh'));
    await waitFor(() => expect(waiting.length).toBeGreaterThan(0));
    const hung = () => new ApiCallError('browse:repositories', { code: 'UNREACHABLE', message: 'cannot reach reg.example.com: no answer within 15 s', detail: null });
    // Every request for the list ends the same way.
    while (waiting.length) waiting.shift()!(hung());
    await screen.findAllByRole('alert');
    await waitFor(() => expect(screen.queryByText('Listing repositories…')).toBeNull());
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    // One thing asked once: the refresh waited for the read under way.
    expect(api.calls.filter((c) => c.channel === 'browse:repositories')).toHaveLength(1);
    expect(screen.getByRole('alert').textContent).toContain('no answer within 15 s');
  });
});
