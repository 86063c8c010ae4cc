/**
 * Opening the registries a copy, an export or a sync job names (issue 20): the local registry, a
 * saved connection by name or id, or a host (with its saved connection's password when one names
 * it, else the access given). Files are opened by src-server/transports.
 */
import type { RegistrySource } from '../browse/source';
import type { HostAccess } from '../contract';

/** A registry a job or a copy names. */
export type RegistryEndpoint =
  | { connection: string }
  | { host: string; insecure?: boolean; access?: HostAccess };

/** An opened registry. */
export interface OpenedRegistry {
  source: RegistrySource;
  /** What messages call it: `local`, a connection's name, or the host. */
  label: string;
  /** `host[:port]` as image references name it (`127.0.0.1:5000`, `ghcr.io`). */
  host: string;
  /** Frees what opening it took (a remote's connections); the local registry's does nothing. */
  close(): Promise<void>;
}

/**
 * Opens registries. Throws RegistryError CONNECTION_UNKNOWN for a connection no one saved, and the
 * remote's own errors (UNREACHABLE, AUTH_FAILED, ...) only when it is used, not when it is opened.
 */
export interface RegistryOpener {
  open(endpoint: RegistryEndpoint): Promise<OpenedRegistry>;
}
