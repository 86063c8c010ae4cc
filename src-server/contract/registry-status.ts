/**
 * The embedded registry's state as the GUI sees it (`registry:status`, `registry:start`,
 * `registry:stop` and the `registry:status-changed` event).
 */

/** `RegistryStatus.error` after a stop the user asked for: a stopped registry, not a failed one. */
export const REGISTRY_STOPPED_BY_USER = 'stopped from Berth';

/** Result of `registry:status`: whether the embedded registry listens, and where. */
export interface RegistryStatus {
  running: boolean;
  /** The base URL clients push to (e.g. `http://127.0.0.1:5000`), or null when stopped. */
  url: string | null;
  /** The HTTPS listener's URL, when one runs. */
  tlsUrl?: string | null;
  /** The storage root (with S3 storage: Berth's own files only). */
  dataDir?: string;
  /** Where the registry's content lives when it is in a bucket: `s3://bucket/root at endpoint`. */
  bucket?: string | null;
  /** ISO 8601, while running. */
  startedAt?: string | null;
  /** Why the registry stopped or could not start, in words. */
  error?: string | null;
  /** Whether start/stop is possible from here (false for a CLI without a server). */
  controllable?: boolean;
  /**
   * What clients meet while the registry is stopped: `unavailable`, 503 UNAVAILABLE on `/v2` (the
   * listeners stay up for the GUI, `berth serve --ui`); `closed`, a closed port (the desktop app).
   */
  whileStopped?: 'unavailable' | 'closed';
}
