/** Everything a screen needs around it: theme, data cache and the AppApi. Tests use it too. */
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { AppApi } from '../api/app-api';
import { ApiProvider } from '../api/context';
import { theme } from './theme';

/** A query client: no retry of a failed call (the error is shown at once, in words). */
export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false }, mutations: { retry: false } } });
}

/** Wraps `children` in the theme, the query cache and the API. */
export function Providers({ api, children, client }: { api: AppApi; children: ReactNode; client?: QueryClient }) {
  const [queryClient] = useState(() => client ?? createQueryClient());
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <ApiProvider api={api}>{children}</ApiProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
