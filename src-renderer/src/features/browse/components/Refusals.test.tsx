import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ApiError, ConnectionInfo, RepositoriesPage } from '../../../../../src-server/contract';
import { createFakeApi } from '../../../test/fake-api';
import { renderScreen } from '../../../test/render';
import { RepositoriesScreen } from './RepositoriesScreen';
import { TagsScreen } from './TagsScreen';

const local: ConnectionInfo = { id: 'local', name: 'This computer', kind: 'local', url: 'http://127.0.0.1:5000', username: null, hasSecret: false, trust: { mode: 'system' }, repositories: [], namespaces: [], createdAt: '2026-01-01T00:00:00Z' };
const team: ConnectionInfo = { ...local, id: 'c1', name: 'Team registry', kind: 'registry', url: 'https://reg.example.com', username: 'alice', hasSecret: true };
const anonymous: ConnectionInfo = { ...team, id: 'c2', name: 'Public registry', username: null, hasSecret: false };
const connections = [local, team, anonymous];
const refused: ApiError = { code: 'AUTH_FAILED', message: 'https://reg.example.com refused the credentials', detail: { url: 'https://reg.example.com', status: 401 } };
const denied: ApiError = { code: 'DENIED', message: 'https://reg.example.com denied access to the configured user', detail: { url: 'https://reg.example.com', status: 403 } };

function repositories(answer: RepositoriesPage | { error: typeof refused }, connection = 'c1') {
  renderScreen(<RepositoriesScreen connection={connection} />, createFakeApi({ 'connections:list': connections, 'browse:repositories': answer }));
}

describe('a remote that refuses the user', () => {
  it('a wrong password names the connection and the user, says to edit the credentials, and is never an empty list', async () => {
    repositories({ error: refused });
    const alert = await screen.findByTestId('browse-refused');
    expect(alert.getAttribute('data-code')).toBe('AUTH_FAILED');
    expect(alert.textContent).toContain('Team registry refused the user name or password');
    expect(alert.textContent).toContain('“alice”');
    expect(alert.textContent).toContain('refused the credentials');
    expect(within(alert).getByRole('link', { name: 'Edit the connection' }).getAttribute('href')).toBe('#/connections');
    expect(screen.queryByTestId('repositories-empty')).toBeNull();
    expect(screen.queryByText('No repositories visible')).toBeNull();
  });

  it('a user without the right is told so, with what to do', async () => {
    repositories({ error: denied });
    const alert = await screen.findByTestId('browse-refused');
    expect(alert.getAttribute('data-code')).toBe('DENIED');
    expect(alert.textContent).toContain('Team registry does not allow “alice” this');
    expect(within(alert).getByRole('link', { name: 'Edit the connection' })).toBeTruthy();
  });

  it('the tags of a repository say the same', async () => {
    renderScreen(
      <TagsScreen connection="c1" repository="team/app" />,
      createFakeApi({ 'connections:list': connections, 'browse:tags': { error: refused }, 'browse:repository-size': { error: refused } }),
    );
    const alert = await screen.findByTestId('browse-refused');
    expect(alert.getAttribute('data-code')).toBe('AUTH_FAILED');
    expect(alert.textContent).toContain('Team registry refused the user name or password');
  });
});

describe('a remote that lists nothing, or keeps its catalog to itself', () => {
  it('an empty catalog is the registry listing nothing this user may see, not a refusal', async () => {
    repositories({ items: [], next: null, source: 'catalog', total: null });
    const empty = await screen.findByTestId('repositories-empty');
    expect(empty.textContent).toContain('Team registry lists no repository that “alice” may see');
    expect(empty.textContent).not.toMatch(/refuse/);
  });

  it('saved names after a refused catalog say why the catalog is not listed', async () => {
    repositories({
      items: [{ name: 'team/app', tagCount: null, size: null }],
      next: null,
      source: 'saved',
      total: null,
      catalogRefusal: { code: 'DENIED', message: 'https://reg.example.com does not let this user list its repositories' },
    });
    const hint = await screen.findByTestId('repositories-source');
    expect(hint.textContent).toContain('Team registry does not let “alice” list its repositories');
  });

  it('without credentials and without saved names, it says a login would list them', async () => {
    repositories({ items: [], next: null, source: 'saved', total: null, catalogRefusal: { code: 'AUTH_REQUIRED', message: 'https://reg.example.com lists its repositories only to users who log in' } }, 'c2');
    const empty = await screen.findByTestId('repositories-empty');
    expect(empty.textContent).toContain('Public registry lists its repositories only to users who log in');
  });
});
