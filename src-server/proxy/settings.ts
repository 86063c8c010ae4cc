/** The pull-through cache's settings (registry:2's `proxy` section, plus Berth's `tagttl`). */
export interface ProxySettings {
  /** The upstream registry's base URL (`proxy.remoteurl`). */
  remoteUrl: string;
  /** `proxy.username` / `proxy.password`: how Berth logs in to the upstream. */
  username?: string;
  password?: string;
  /** How long a cached tag is served without asking the upstream (`proxy.tagttl`); 0 = always ask. */
  tagTtlMs: number;
}
