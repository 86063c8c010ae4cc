import { parseListenAddress } from '../contract';
import { ConfigError, type ListenAddress } from './types';

/**
 * Parses a listen address the way registry:2 reads `http.addr`: `host:port`, `[v6]:port`, or
 * `:port` for every interface.
 */
export function parseListen(addr: string, source: string): ListenAddress {
  // The contract's parser, which the GUI's settings form runs before it saves.
  const parsed = parseListenAddress(addr);
  if (!parsed) throw new ConfigError(`${source}: invalid listen address "${addr}" (expected HOST:PORT or :PORT)`);
  return parsed;
}

/** Formats a listen address as a URL authority (`127.0.0.1:5000`, `[::1]:5000`, `0.0.0.0:5000`). */
export function formatAuthority(host: string | undefined, port: number): string {
  const h = host ?? '0.0.0.0';
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}
