/**
 * Connection secrets bound to the origin (scheme, host, port) they were given for. A password the
 * user typed for `https://registry.example.com` is sent there and nowhere else: when the
 * connection's URL later names another origin (a changed URL, `https` turned into `http`, a row
 * edited behind Berth's back), the secret is not handed out.
 *
 * In the SecretStore (never SQLite), under `connection:<id>:bound`, as JSON:
 * ```
 * {"origin": "https://registry.example.com:5000", "secret": "..."}
 * ```
 * Secrets saved before origins were recorded sit under `connection:<id>` as the bare secret. They
 * are bound to the connection's URL at the time of their first read (and moved to the new account),
 * since that URL is the one the user saved them with unless the row was edited by hand since.
 */
import type { SecretStore } from './secret-store';

/** The account of a connection's origin-bound secret. */
export const boundSecretAccount = (id: string) => `connection:${id}:bound`;

/** The account where secrets were kept before origins were recorded (a bare secret). */
export const legacySecretAccount = (id: string) => `connection:${id}`;

/** The origin of a registry URL, as secrets are bound to it: `https://host:port` (default ports left out). */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/** A stored secret and the origin it may be sent to. */
export interface BoundSecret {
  origin: string;
  secret: string;
}

/** Reads and writes origin-bound connection secrets over any SecretStore. */
export class ConnectionSecrets {
  constructor(private readonly store: SecretStore) {}

  /** What the store holds for the connection (a legacy secret is bound to `url` now), or null. */
  async recorded(id: string, url: string): Promise<BoundSecret | null> {
    const raw = await this.store.get(boundSecretAccount(id));
    if (raw !== null) return parseBound(raw);
    const legacy = await this.store.get(legacySecretAccount(id));
    if (legacy === null) return null;
    const bound = { origin: originOf(url), secret: legacy };
    try {
      await this.store.set(boundSecretAccount(id), JSON.stringify(bound));
      await this.store.delete(legacySecretAccount(id));
    } catch {
      // A keychain that reads but will not write now: the secret stays where it is, bound again
      // the same way at the next read, rather than the whole list failing.
    }
    return bound;
  }

  /** The secret to send to `url`: null when there is none or it was given for another origin. */
  async forUrl(id: string, url: string): Promise<string | null> {
    const bound = await this.recorded(id, url);
    return bound !== null && bound.origin === originOf(url) ? bound.secret : null;
  }

  /** Stores `secret` for the origin of `url`, replacing whatever the connection had. */
  async set(id: string, url: string, secret: string): Promise<void> {
    await this.store.set(boundSecretAccount(id), JSON.stringify({ origin: originOf(url), secret } satisfies BoundSecret));
    await this.store.delete(legacySecretAccount(id));
  }

  /** Removes the connection's secret, in either form. */
  async delete(id: string): Promise<void> {
    await this.store.delete(boundSecretAccount(id));
    await this.store.delete(legacySecretAccount(id));
  }
}

/** A bound secret, or null for a value that is not one (it is then never sent anywhere). */
function parseBound(raw: string): BoundSecret | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { origin, secret } = parsed as Record<string, unknown>;
  return typeof origin === 'string' && typeof secret === 'string' ? { origin, secret } : null;
}
