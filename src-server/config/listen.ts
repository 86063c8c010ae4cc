import { ConfigError, type ListenAddress } from './types';

/**
 * Parses a listen address the way registry:2 reads `http.addr`: `host:port`, `[v6]:port`, or
 * `:port` for every interface.
 */
export function parseListen(addr: string, source: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new ConfigError(`${source}: invalid listen address "${addr}" (expected HOST:PORT or :PORT)`);
  }
  const host = m[1] ?? m[2];
  return { host: host ? host : undefined, port };
}

/** Formats a listen address as a URL authority (`127.0.0.1:5000`, `[::1]:5000`, `0.0.0.0:5000`). */
export function formatAuthority(host: string | undefined, port: number): string {
  const h = host ?? '0.0.0.0';
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}
