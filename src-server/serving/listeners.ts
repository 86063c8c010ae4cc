/**
 * The registry's listeners of a serving process: HTTP always, HTTPS with Berth's own certificate
 * when `tlsListen` is set (kept fresh while it runs). `berth serve` opens them at start; the
 * desktop's registry process opens and closes them on demand (stopping the registry from the tray
 * frees its ports, starting it listens again).
 */
import type { RequestListener, Server } from 'node:http';
import { listen, listenWithOwnCertificate, shutdown, type Listening } from './listen';
import type { BerthConfig } from '../config/types';
import type { ListenerSwitch } from '../http/control/local-control';
import type { Logger } from '../logger';
import type { CertificateRenewal } from '../tls/renewal';
import type { CertificateStore } from '../tls/store';

/** The listeners of one registry app. */
export class ListenerSet implements ListenerSwitch {
  private http: Listening | null = null;
  private https: Listening | null = null;
  private renewal: CertificateRenewal | undefined;
  /** Servers closing now, whose requests in flight {@link dropConnections} may cut short. */
  private readonly draining = new Set<Server>();

  constructor(
    private readonly handler: RequestListener,
    private readonly config: BerthConfig,
    private readonly store: CertificateStore,
    private readonly log: Logger,
  ) {}

  /** The URLs while listening (empty strings while not). */
  urls(): { url: string; tlsUrl: string | null } {
    return { url: this.http?.url ?? '', tlsUrl: this.https?.url ?? null };
  }

  /** Listens on HTTP, then HTTPS when `tlsListen` is set; on failure neither is left open. */
  async open(): Promise<void> {
    if (this.http) return;
    const http = await listen(this.handler, this.config);
    if (this.config.tlsListen) {
      try {
        const secure = await listenWithOwnCertificate(this.handler, this.config, this.store, this.log);
        this.https = secure.listening;
        this.renewal = secure.renewal;
      } catch (err) {
        // Both or neither: a half-started registry would be reported as running.
        await shutdown(http.server, 0);
        throw err;
      }
    }
    this.http = http;
  }

  /** Stops listening; requests in flight get up to `graceMs` to finish. */
  async close(graceMs = 5000): Promise<void> {
    this.renewal?.stop();
    this.renewal = undefined;
    const open = [this.http, this.https].filter((l): l is Listening => l !== null);
    this.http = null;
    this.https = null;
    for (const l of open) this.draining.add(l.server);
    await Promise.all(open.map((l) => shutdown(l.server, graceMs).finally(() => this.draining.delete(l.server))));
  }

  /** Closes every connection of the listeners now closing, without waiting for their requests. */
  dropConnections(): void {
    for (const server of this.draining) server.closeAllConnections();
  }

  /** Re-checks the HTTPS certificate now (after `cert:regenerate`). */
  reloadCertificate(): Promise<boolean> {
    return this.renewal?.check() ?? Promise.resolve(false);
  }
}
