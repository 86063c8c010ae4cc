/** A cached manifest: immutable content, so entries never go stale. */
export interface CachedManifest {
  body: Buffer;
  mediaType: string;
}

/** A byte-bounded LRU of manifests by digest (Map keeps insertion order; a hit re-inserts). */
export class ManifestCache {
  private readonly map = new Map<string, CachedManifest>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 << 20) {}

  /** The cached manifest, marked as recently used. */
  get(digest: string): CachedManifest | undefined {
    const hit = this.map.get(digest);
    if (hit) {
      this.map.delete(digest);
      this.map.set(digest, hit);
    }
    return hit;
  }

  /** Caches a manifest, evicting the least recently used beyond the byte budget. */
  set(digest: string, value: CachedManifest): void {
    if (value.body.length > this.maxBytes / 4 || this.map.has(digest)) return;
    this.map.set(digest, value);
    this.bytes += value.body.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= v.body.length;
    }
  }
}
