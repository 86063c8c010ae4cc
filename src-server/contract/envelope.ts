/**
 * The shapes every area of the contract shares: the error half of a reply, the reply itself, and
 * where content came from. A file of its own so that the area files (browse, copy, ...) and the
 * index that gathers them both import it, and neither imports the other.
 */
import type { Code } from './codes';

/** The error half of the envelope: `code` is machine-readable, `message` is for people. */
export interface ApiError {
  /** A code of the vocabulary in codes.ts: an OCI one (e.g. `NAME_UNKNOWN`) or Berth's (e.g. `INTERNAL`, `OFFLINE`). */
  code: Code;
  message: string;
  /** Extra structured context, safe to show; never a stack trace. */
  detail?: unknown;
}

/** Every reply over IPC or the HTTP bridge: a result, or an error, never a thrown exception. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ApiError };

/** Where content came from: pushed by a client, cached from an upstream, or unknown (written by registry:2, or before Berth recorded origins). */
export interface ContentOrigin {
  source: 'pushed' | 'cached' | 'unknown';
  /** The upstream's URL for cached content. */
  upstream: string | null;
  /** When it arrived, ISO 8601; null when unknown. */
  at: string | null;
}
