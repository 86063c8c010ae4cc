/**
 * Retrying an image that failed for a reason that may pass (a 5xx, a lost connection, a 429):
 * exponential backoff with jitter, and a 429's Retry-After waited as asked (capped). Other failures
 * (a refused push, wrong credentials, a missing tag) are not retried.
 */
import { RegistryError } from '../core/errors';
import { RemoteRateLimitError, RemoteUnavailableError } from '../remote/errors';

/** How retries run. */
export interface RetryOptions {
  /** Attempts after the first. */
  retries: number;
  signal?: AbortSignal;
  /** First backoff (default 500 ms); doubles each attempt. */
  baseMs?: number;
  /** Longest backoff, and longest Retry-After honoured (default 60 s). */
  maxMs?: number;
  /** 0..1 (default Math.random). */
  random?: () => number;
  now?: () => number;
  /** Waits `ms` unless `signal` aborts (default a timer). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each retry, with the wait. */
  onRetry?: (attempt: number, waitMs: number, err: unknown) => void;
}

/** Whether `err` may pass on a later attempt. */
export function isTransient(err: unknown): boolean {
  if (err instanceof RemoteRateLimitError || err instanceof RemoteUnavailableError) return true;
  if (err instanceof RegistryError) return err.code === 'UNREACHABLE' || err.code === 'RATE_LIMITED' || err.code === 'TOOMANYREQUESTS' || (err.status ?? 0) >= 500;
  return false;
}

/** A 429's Retry-After in milliseconds (seconds or an HTTP date), or null. */
export function retryAfterMs(err: unknown, now = Date.now()): number | null {
  if (!(err instanceof RemoteRateLimitError) || !err.retryAfter) return null;
  const v = err.retryAfter.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The wait before retry `attempt` (1-based): full jitter over base·2^(attempt-1), or Retry-After. */
export function backoffMs(attempt: number, err: unknown, opts: RetryOptions): number {
  const max = opts.maxMs ?? 60_000;
  const after = retryAfterMs(err, (opts.now ?? Date.now)());
  if (after !== null) return Math.min(after, max);
  const base = (opts.baseMs ?? 500) * 2 ** (attempt - 1);
  const random = opts.random ?? Math.random;
  // Half fixed, half random: never zero, and concurrent retries spread out.
  return Math.min(max, Math.round(base / 2 + (base / 2) * random()));
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn` until it succeeds, fails for good, or the retries are used up. */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const wait = opts.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.retries || !isTransient(err) || opts.signal?.aborted) throw err;
      const ms = backoffMs(attempt + 1, err, opts);
      opts.onRetry?.(attempt + 1, ms, err);
      await wait(ms, opts.signal);
    }
  }
}
