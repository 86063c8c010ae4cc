/** The AppApi handed down the tree, so components and hooks never pick a transport themselves. */
import { createContext, useContext, type ReactNode } from 'react';
import type { AppApi } from './app-api';

const ApiContext = createContext<AppApi | null>(null);

/** Provides the AppApi to everything below. */
export function ApiProvider({ api, children }: { api: AppApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

/** The AppApi (throws outside an ApiProvider: a wiring bug). */
export function useApi(): AppApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}
