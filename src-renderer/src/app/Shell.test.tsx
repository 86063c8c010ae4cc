import { Modal } from '@mantine/core';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AppWithApi } from '../App';
import { Providers } from './Providers';
import { createFakeApi } from '../test/fake-api';
import { parseRoute, hrefOf } from './route';

const local = { id: 'local', name: 'This computer', kind: 'local' as const, url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' as const }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };

describe('the shell', () => {
  it('lists every connection to browse and shows the registry status', async () => {
    const api = createFakeApi({
      'connections:list': [local, { ...local, id: 'c1', name: 'Team registry', kind: 'registry' }],
      'registry:status': { running: true, url: 'http://127.0.0.1:5000' },
    });
    render(<AppWithApi api={api} />);
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(await within(nav).findByText('Team registry')).toBeTruthy();
    expect(within(nav).getByText('This computer')).toBeTruthy();
    expect((await screen.findByTestId('registry-badge')).textContent).toContain('running');
  });

  it('follows registry:status-changed events', async () => {
    const api = createFakeApi({ 'connections:list': [local], 'registry:status': { running: true, url: 'http://127.0.0.1:5000' } });
    render(<AppWithApi api={api} />);
    await waitFor(() => expect(screen.getByTestId('registry-badge').textContent).toMatch(/running/));
    api.emit('registry:status-changed', { running: false, url: null });
    await waitFor(() => expect(screen.getByTestId('registry-badge').textContent).toBe('stopped'));
  });
});

describe('routes', () => {
  it('round-trips every screen, repository names with slashes included', () => {
    for (const r of [
      { screen: 'registry' },
      { screen: 'connections' },
      { screen: 'repositories', connection: 'c1' },
      { screen: 'tags', connection: 'local', repository: 'team/app' },
      { screen: 'image', connection: 'local', repository: 'team/app', reference: 'sha256:abc' },
      { screen: 'storage' },
      { screen: 'users' },
      { screen: 'certificates' },
    ] as const) {
      expect(parseRoute(hrefOf(r))).toEqual(r);
    }
    expect(parseRoute('#/nonsense')).toEqual({ screen: 'registry' });
  });
});

describe('accessibility of the frame', () => {
  it('gives every dialog a close button with an accessible name', async () => {
    render(
      <Providers api={createFakeApi()}>
        <Modal opened onClose={() => {}} title="A dialog">
          body
        </Modal>
      </Providers>,
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Close' })).toBeTruthy();
  });

  it('starts with a "Skip to content" link that moves the focus to the screen without changing the route', async () => {
    window.location.hash = '#/storage';
    const api = createFakeApi({ 'connections:list': [local], 'registry:status': { running: true, url: 'http://127.0.0.1:5000' } });
    const { container } = render(<AppWithApi api={api} />);
    const skip = await screen.findByRole('link', { name: 'Skip to content' });
    const focusable = container.ownerDocument.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])');
    expect(focusable[0]).toBe(skip);
    fireEvent.click(skip);
    expect(document.activeElement).toBe(screen.getByRole('main'));
    expect(window.location.hash).toBe('#/storage');
  });
});
