import { existsSync, mkdirSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { X509Certificate } from 'node:crypto';
import { readTextFile, withLockFile, writeFileAtomic } from '../core/files';
import { TLS_FILES } from './files';
import { CertificateError, OutsideCaError } from './errors';
import { certificateNames, issuedBy, keyMatches, msLeft, parseCertificate, summarize, type CertificateSummary } from './inspect';
import { constraintsFor, describeConstraints, permits, readNameConstraints, type NameConstraints } from './name-constraints';
import { canonicalIp, machineSubjectNames, sameNames, uniqueNames, validateExtraName, validateExtraNames, type MachineNames } from './names';
import { CA_KEY_BITS, createCaCertificate, createServerCertificate, generateRsaKey, SERVER_KEY_BITS } from './x509';

/** Renew a certificate when it has fewer days than this left. */
export const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

// The file layout is part of this module's API.
export { TLS_FILES, tlsDir } from './files';

/** Options of {@link CertificateStore}. */
export interface CertificateStoreOptions {
  /** Where the files live (see {@link TLS_FILES}); usually `tlsDir(dataDir)`. */
  dir: string;
  /** Extra SANs on top of those in names.json (e.g. from configuration). */
  names?: readonly string[];
  /** The clock (tests move it to exercise renewal). */
  now?: () => Date;
  /** Host name and interfaces (tests fake a new LAN address). */
  machine?: () => MachineNames;
  /** Bring-your-own certificate and key (config http.tls): used as they are, never generated. */
  provided?: { certificate: string; key: string };
}

/** PEM material for an HTTPS server. */
export interface TlsMaterialPem {
  /** Server certificate (with its chain when a provided file holds one). */
  cert: string;
  key: string;
  /** The local CA; undefined for a provided certificate. */
  ca?: string;
  /** True when this call (re)generated something or the files differ from the last call's. */
  changed: boolean;
  /** Why something was generated, for the log (empty when nothing was). */
  reasons: string[];
}

/** A certificate file and what it holds. */
export type CertificateFileInfo = CertificateSummary & { path: string };

/** What `berth cert info` reports. */
export interface CertificateInfo {
  mode: 'generated' | 'provided';
  dir: string;
  /** The local CA; null for a provided certificate or before the first generation. */
  ca: CertificateFileInfo | null;
  /** The server certificate; null before the first generation. */
  server: CertificateFileInfo | null;
  /** Names from names.json and the options. */
  extraNames: string[];
  /** Every SAN a generated server certificate should carry now (those the CA may vouch for). */
  wantedNames: string[];
  /** Why the next `ensure()` would (re)generate, if it would. */
  renewalDue: string[];
  /** What the CA may vouch for (its name constraints); null without a CA or for an unconstrained one. */
  caConstraints: NameConstraints | null;
  /** True for a CA without name constraints (made before Berth set them): it can vouch for any site. */
  caUnconstrained: boolean;
  /** Names the certificate should carry that the CA may not vouch for: left out of it. */
  outsideCa: string[];
}

interface Loaded {
  pem: string;
  key: string;
  cert: X509Certificate;
}

/**
 * The local CA and the server certificate of one Berth data directory: creates what is missing,
 * renews the server certificate when it nears expiry or its names no longer match the machine,
 * and reports what it holds. With `provided`, it only reads and checks the user's own pair.
 */
export class CertificateStore {
  readonly dir: string;
  private readonly now: () => Date;
  private readonly machine: () => MachineNames;
  private lastCert: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: CertificateStoreOptions) {
    this.dir = opts.dir;
    this.now = opts.now ?? (() => new Date());
    this.machine = opts.machine ?? (() => ({ hostname: hostname(), interfaces: networkInterfaces() }));
  }

  private path(file: keyof typeof TLS_FILES): string {
    return join(this.dir, TLS_FILES[file]);
  }

  /** True for a bring-your-own certificate. */
  get provided(): boolean {
    return this.opts.provided !== undefined;
  }

  /** The extra names stored in names.json (validated). */
  storedNames(): string[] {
    const p = this.path('names');
    if (!existsSync(p)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(readTextFile(p, 'names file', CertificateError));
    } catch (err) {
      if (err instanceof CertificateError) throw err;
      throw new CertificateError(`invalid names file ${p}: ${(err as Error).message}`);
    }
    const names = (parsed as { names?: unknown }).names;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
      throw new CertificateError(`invalid names file ${p}: expected {"names": ["name", ...]}`);
    }
    return uniqueNames(names.map(validateExtraName));
  }

  private extraNames(): string[] {
    return uniqueNames([...this.storedNames(), ...(this.opts.names ?? []).map(validateExtraName)]);
  }

  /** Every name this machine and the configuration give the server certificate, CA or not. */
  private desiredNames(): string[] {
    return uniqueNames([...machineSubjectNames(this.machine()), ...this.extraNames()]);
  }

  /** The name constraints of the CA on disk: null when it has none (or there is no CA yet). */
  private caConstraints(ca: Loaded | string = this.load('caCert', 'caKey')): NameConstraints | null {
    return typeof ca === 'string' ? null : readNameConstraints(ca.pem);
  }

  /**
   * Every SAN the server certificate should carry now: this machine's names and the extra ones,
   * less those the CA may not vouch for (a certificate naming one would be refused by every client).
   */
  wantedNames(ca: Loaded | string = this.load('caCert', 'caKey')): string[] {
    const constraints = this.caConstraints(ca);
    return this.desiredNames().filter((n) => permits(constraints, n));
  }

  /** True when the current CA may vouch for `name` (always without a CA or for an unconstrained one). */
  caCovers(name: string): boolean {
    return permits(this.caConstraints(), canonicalIp(name) ?? name.toLowerCase());
  }

  /** Names the server certificate should carry that the current CA may not vouch for. */
  namesOutsideCa(): string[] {
    const constraints = this.caConstraints();
    return this.desiredNames().filter((n) => !permits(constraints, n));
  }

  /**
   * Refuses extra names the current CA may not vouch for (unless a new CA is about to be made for
   * them): clients trust the CA for its names only, so such a name needs a new CA every client
   * must trust again. Nothing to refuse without a CA or with an unconstrained one.
   */
  checkCovered(names: readonly string[]): void {
    const constraints = this.caConstraints();
    const outside = uniqueNames(validateExtraNames(names)).filter((n) => !permits(constraints, n));
    if (outside.length === 0 || constraints === null) return;
    const list = outside.join(', ');
    throw new OutsideCaError(
      `${list} ${outside.length > 1 ? 'are' : 'is'} outside the names Berth's CA may vouch for (${describeConstraints(constraints)}). ` +
        `Clients trust that CA for those names only, so ${outside.length > 1 ? 'these need' : 'this needs'} a new CA, which every client must then trust ` +
        `(install its new bundle): berth cert names add --new-ca ${outside.join(' ')}`,
      outside,
    );
  }

  private commonNames(): { ca: string; server: string } {
    const host = this.machine().hostname.trim() || 'localhost';
    return { ca: `Berth Local CA (${host})`, server: host };
  }

  private load(cert: 'caCert' | 'serverCert', key: 'caKey' | 'serverKey'): Loaded | string {
    const certPath = this.path(cert);
    const keyPath = this.path(key);
    if (!existsSync(certPath)) return `${TLS_FILES[cert]} is missing`;
    if (!existsSync(keyPath)) return `${TLS_FILES[key]} is missing`;
    const pem = readTextFile(certPath, 'certificate', CertificateError);
    const keyPem = readTextFile(keyPath, 'key', CertificateError);
    let parsed: X509Certificate;
    try {
      parsed = parseCertificate(pem);
    } catch {
      return `${TLS_FILES[cert]} is not a valid certificate`;
    }
    if (!keyMatches(parsed, keyPem)) return `${TLS_FILES[key]} does not belong to ${TLS_FILES[cert]}`;
    return { pem, key: keyPem, cert: parsed };
  }

  /** Why the CA must be (re)created, or undefined when it is fine. */
  private caProblem(ca: Loaded | string): string | undefined {
    if (typeof ca === 'string') return ca;
    if (!ca.cert.ca) return `${TLS_FILES.caCert} is not a CA certificate`;
    if (msLeft(ca.cert, this.now()) < RENEW_BEFORE_DAYS * DAY_MS) return `the CA expires within ${RENEW_BEFORE_DAYS} days`;
    return undefined;
  }

  /** Why the server certificate must be renewed, or undefined when it is fine. */
  private serverProblem(server: Loaded | string, ca: Loaded | undefined, wanted: string[]): string | undefined {
    if (typeof server === 'string') return server;
    if (ca && !issuedBy(server.cert, ca.cert)) return 'the server certificate was not issued by the current CA';
    if (msLeft(server.cert, this.now()) < RENEW_BEFORE_DAYS * DAY_MS) {
      return `the server certificate expires within ${RENEW_BEFORE_DAYS} days`;
    }
    if (new Date(server.cert.validFrom).getTime() > this.now().getTime()) return 'the server certificate is not valid yet';
    const have = certificateNames(server.cert);
    if (!sameNames(have, wanted)) {
      const added = wanted.filter((n) => !have.includes(n));
      const removed = have.filter((n) => !wanted.includes(n));
      const parts = [added.length ? `new: ${added.join(', ')}` : '', removed.length ? `gone: ${removed.join(', ')}` : ''];
      return `the names changed (${parts.filter(Boolean).join('; ')})`;
    }
    return undefined;
  }

  /** Runs one certificate operation at a time, so a timer and a command never interleave. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Makes sure a usable CA and server certificate exist and returns them: creates what is missing,
   * renews the server certificate (keeping the CA) when it expires within 30 days, was not issued
   * by the current CA, or its names differ from the wanted ones (a new LAN address or extra name).
   */
  ensure(): Promise<TlsMaterialPem> {
    return this.serialized(() => this.ensureNow(false, false));
  }

  /**
   * Issues a new server certificate now (and a new CA with `newCa`; clients must then install a
   * new bundle). `names` replaces the extra names in names.json.
   */
  regenerate(opts: { names?: readonly string[]; newCa?: boolean } = {}): Promise<TlsMaterialPem> {
    if (this.opts.provided) {
      return Promise.reject(new CertificateError('the certificate is provided by configuration (http.tls); Berth does not regenerate it'));
    }
    return this.serialized(async () => {
      if (opts.names) {
        // Every bad name is refused at once, by name, before the CA's scope is even asked.
        validateExtraNames(opts.names);
        if (!opts.newCa) this.checkCovered(opts.names);
        this.writeNames(opts.names);
      }
      return this.ensureNow(true, opts.newCa ?? false);
    });
  }

  /** Validates and stores the extra names (names.json), without issuing a certificate. */
  writeNames(names: readonly string[]): string[] {
    const clean = uniqueNames(validateExtraNames(names));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.path('names'), `${JSON.stringify({ names: clean }, null, 2)}\n`, 0o644);
    return clean;
  }

  private async ensureNow(forceServer: boolean, forceCa: boolean): Promise<TlsMaterialPem> {
    if (this.opts.provided) return this.readProvided();
    if (!forceServer && !forceCa) {
      // The common case (a daily check with nothing to do) reads without taking the lock.
      const ca = this.load('caCert', 'caKey');
      const server = this.load('serverCert', 'serverKey');
      if (typeof ca !== 'string' && typeof server !== 'string' && this.caProblem(ca) === undefined &&
        this.serverProblem(server, ca, this.wantedNames(ca)) === undefined) {
        return this.result(server, ca, []);
      }
    }
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Under the lock everything is read again: another process may have just done the work.
    return withLockFile(join(this.dir, '.lock'), () => this.generate(forceServer, forceCa), {
      waitMs: 60_000,
      // Generating keys takes seconds; only a much older lock is a crashed writer's.
      staleMs: 120_000,
      busy: () => new CertificateError(`another berth process is writing certificates in ${this.dir}; try again`),
    });
  }

  private result(server: Loaded, ca: Loaded, reasons: string[]): TlsMaterialPem {
    const changed = reasons.length > 0 || (this.lastCert !== undefined && this.lastCert !== server.pem);
    this.lastCert = server.pem;
    return { cert: server.pem, key: server.key, ca: ca.pem, changed, reasons };
  }

  private async generate(forceServer: boolean, forceCa: boolean): Promise<TlsMaterialPem> {
    const reasons: string[] = [];
    const names = this.commonNames();
    let ca = this.load('caCert', 'caKey');
    const caWhy = forceCa ? 'a new CA was asked for' : this.caProblem(ca);
    if (caWhy !== undefined) {
      reasons.push(`new CA: ${caWhy}`);
      const key = await generateRsaKey(CA_KEY_BITS);
      // The CA may vouch for what a registry here can be called, and for nothing else.
      const constraints = constraintsFor(this.machine(), this.extraNames());
      const pem = createCaCertificate({ commonName: names.ca, key, now: this.now(), constraints });
      writeFileAtomic(this.path('caKey'), key.privateKey, 0o600);
      writeFileAtomic(this.path('caCert'), pem, 0o644);
      ca = { pem, key: key.privateKey, cert: parseCertificate(pem) };
    }
    const caLoaded = ca as Loaded;
    const wanted = this.wantedNames(caLoaded);
    let server = this.load('serverCert', 'serverKey');
    const serverWhy = forceServer ? 'a new certificate was asked for' : this.serverProblem(server, caLoaded, wanted);
    if (serverWhy !== undefined) {
      reasons.push(`new server certificate: ${serverWhy}`);
      const key = await generateRsaKey(SERVER_KEY_BITS);
      const pem = createServerCertificate({
        ca: { cert: caLoaded.pem, key: caLoaded.key },
        commonName: names.server,
        names: wanted,
        key,
        now: this.now(),
      });
      writeFileAtomic(this.path('serverKey'), key.privateKey, 0o600);
      writeFileAtomic(this.path('serverCert'), pem, 0o644);
      server = { pem, key: key.privateKey, cert: parseCertificate(pem) };
    }
    return this.result(server as Loaded, caLoaded, reasons);
  }

  private readProvided(): TlsMaterialPem {
    const { certificate, key } = this.opts.provided!;
    const pem = readTextFile(certificate, 'TLS certificate', CertificateError);
    const keyPem = readTextFile(key, 'TLS key', CertificateError);
    let cert: X509Certificate;
    try {
      cert = parseCertificate(pem);
    } catch (err) {
      throw new CertificateError(`invalid TLS certificate ${certificate}: ${(err as Error).message}`);
    }
    if (!keyMatches(cert, keyPem)) throw new CertificateError(`the TLS key ${key} does not belong to the certificate ${certificate}`);
    const changed = this.lastCert !== undefined && this.lastCert !== pem;
    this.lastCert = pem;
    return { cert: pem, key: keyPem, changed, reasons: changed ? ['the provided certificate file changed'] : [] };
  }

  /** Reports the CA and server certificate (read only: nothing is generated). */
  info(): CertificateInfo {
    const now = this.now();
    const file = (path: string): CertificateFileInfo | null => {
      if (!existsSync(path)) return null;
      try {
        return { ...summarize(parseCertificate(readTextFile(path, 'certificate', CertificateError)), now), path };
      } catch (err) {
        if (err instanceof CertificateError) throw err;
        throw new CertificateError(`invalid certificate ${path}: ${(err as Error).message}`);
      }
    };
    if (this.opts.provided) {
      return {
        mode: 'provided', dir: this.dir, ca: null, server: file(this.opts.provided.certificate), extraNames: [], wantedNames: [], renewalDue: [],
        caConstraints: null, caUnconstrained: false, outsideCa: [],
      };
    }
    const ca = this.load('caCert', 'caKey');
    const wanted = this.wantedNames(ca);
    const constraints = this.caConstraints(ca);
    const due = [this.caProblem(ca), this.serverProblem(this.load('serverCert', 'serverKey'), typeof ca === 'string' ? undefined : ca, wanted)];
    return {
      mode: 'generated',
      dir: this.dir,
      ca: file(this.path('caCert')),
      server: file(this.path('serverCert')),
      extraNames: this.extraNames(),
      wantedNames: wanted,
      renewalDue: due.filter((d): d is string => d !== undefined),
      caConstraints: constraints,
      caUnconstrained: typeof ca !== 'string' && constraints === null,
      outsideCa: this.desiredNames().filter((n) => !permits(constraints, n)),
    };
  }
}
