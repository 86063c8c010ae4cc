/**
 * Recent claims on blobs: when a client last uploaded, checked (HEAD) or mounted a blob, because a
 * manifest naming it may follow. A garbage collection keeps blobs claimed within its grace period.
 */

/** Most claims remembered; beyond it the oldest is forgotten. */
const MAX_CLAIMS = 100_000;

/** digest -> when it was last claimed (ms since the epoch), bounded to the most recent claims. */
export class BlobClaims {
  private readonly claims = new Map<string, number>();

  /** Records a claim on `digest` now. */
  note(digest: string): void {
    this.claims.delete(digest);
    this.claims.set(digest, Date.now());
    // Oldest first in insertion order: a bounded memory of recent claims is all a grace period needs.
    if (this.claims.size > MAX_CLAIMS) this.claims.delete(this.claims.keys().next().value!);
  }

  /** True when `digest` was claimed at or after `since` (ms since the epoch). */
  since(digest: string, since: number): boolean {
    return (this.claims.get(digest) ?? 0) >= since;
  }

  /** Forgets the claim on `digest` (a stored manifest now references it). */
  forget(digest: string): void {
    this.claims.delete(digest);
  }
}
