/** Renders a screen the way the app does (theme, query cache, API) for component tests. */
import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { Providers, createQueryClient } from '../app/Providers';
import type { FakeApi } from './fake-api';

/** Renders `ui` inside the app's providers with `api`. */
export function renderScreen(ui: ReactNode, api: FakeApi): RenderResult {
  return render(
    <Providers api={api} client={createQueryClient()}>
      {ui}
    </Providers>,
  );
}
