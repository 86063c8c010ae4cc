import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create as createTar } from 'tar';
import { bundleReadme } from './bundle-readme';
import { CertificateError } from './errors';
import { parseCertificate } from './inspect';
import { parseRegistryHost, type RegistryHost } from './registry-host';
import { linuxInstallScript } from './script-linux';
import { macosInstallScript, windowsInstallScript } from './script-other';

/** Options of {@link writeClientBundle}. */
export interface ClientBundleOptions {
  /** The CA certificate clients should trust (PEM). Anything else in it (a key!) is refused. */
  caPem: string;
  /** The registry as clients name it: HOST:PORT. */
  host: string;
  /** Where to write the .tar.gz. */
  out: string;
  /** A plain-HTTP address of the same registry, mentioned in the README's insecure section. */
  httpUrl?: string;
  /** Why clients dialing `host` will refuse the server certificate ({@link notCoveredNote}), put at the top of the README. */
  notCovered?: string | null;
}

/** What was written. */
export interface ClientBundle {
  path: string;
  /** The folder inside the archive, `berth-client-HOST-PORT`. */
  folder: string;
  /** Archive entries, in order. */
  entries: string[];
  registry: RegistryHost;
}

/** True when the server certificate is valid for `host` as clients dial it (wildcards included). */
export function certificateCovers(certPem: string, host: string): boolean {
  const cert = parseCertificate(certPem);
  return isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
}

/**
 * What a bundle for `reg` says when the server certificate does not name its host: clients will
 * refuse the registry, and how the name gets in. `fix`: `add` when the CA may vouch for the name
 * (a new server certificate, same CA), `new-ca` when it may not (a new CA every client must trust),
 * `provided` for a certificate Berth did not make.
 */
export function notCoveredNote(reg: RegistryHost, fix: 'add' | 'new-ca' | 'provided'): string {
  const head = `The server certificate does not name ${reg.host}, so clients dialing ${reg.authority} will refuse it. `;
  if (fix === 'provided') return `${head}The certificate comes from the registry's configuration (http.tls): it needs one that names ${reg.host}.`;
  if (fix === 'add') {
    return `${head}On the registry's machine, add the name: berth cert names add ${reg.host} (or in Berth: Certificates, Names and addresses, then Regenerate). Clients keep trusting the same CA; this bundle stays valid.`;
  }
  return (
    `${head}The name is outside what Berth's CA may vouch for: on the registry's machine run berth cert names add --new-ca ${reg.host} ` +
    '(or in Berth: Certificates, add the name, then Make a new CA). That makes a new CA: every client, this one included, then needs a new bundle.'
  );
}

/** The default archive name for a registry: `berth-client-HOST-PORT.tar.gz`. */
export function defaultBundleName(host: string): string {
  return `berth-client-${parseRegistryHost(host).slug}.tar.gz`;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Keeps only the certificates of a PEM text. A private key is refused outright, so that a mixed-up
 * file (say the server's key+cert PEM) can never leak a key into a bundle that gets handed around.
 */
export function certificatesOnly(pem: string): string {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
    throw new CertificateError('the CA file holds a private key; a client bundle must only carry the CA certificate');
  }
  const blocks = pem.match(CERT_BLOCK);
  if (!blocks) throw new CertificateError('no PEM certificate found in the CA file');
  for (const b of blocks) {
    try {
      parseCertificate(b);
    } catch (err) {
      throw new CertificateError(`invalid certificate in the CA file: ${(err as Error).message}`);
    }
  }
  return `${blocks.join('\n')}\n`;
}

/**
 * Writes the client bundle: a .tar.gz with one folder holding ca.crt (never a key), README.md and
 * install scripts for Linux, macOS and Windows that put the CA where each client looks for
 * `host`. The archive is written to a temp name and renamed, so `out` is never half-written.
 */
export async function writeClientBundle(opts: ClientBundleOptions): Promise<ClientBundle> {
  const registry = parseRegistryHost(opts.host);
  if (opts.httpUrl !== undefined && !/^http:\/\/[a-z0-9.[\]:-]+\/?$/i.test(opts.httpUrl)) {
    throw new CertificateError(`invalid --http-url ${opts.httpUrl}: expected http://HOST:PORT`);
  }
  const ca = certificatesOnly(opts.caPem);
  const first = parseCertificate(ca);
  const folder = `berth-client-${registry.slug}`;
  const files: Array<[string, string, number]> = [
    ['README.md', bundleReadme({ reg: registry, caSubject: first.subject.split('\n').join(', '), caSha256: first.fingerprint256, httpUrl: opts.httpUrl, notCovered: opts.notCovered ?? null }), 0o644],
    ['ca.crt', ca, 0o644],
    ['install-linux.sh', linuxInstallScript(registry), 0o755],
    ['install-macos.sh', macosInstallScript(registry), 0o755],
    ['install-windows.ps1', windowsInstallScript(registry), 0o644],
  ];
  const staging = mkdtempSync(join(tmpdir(), 'berth-bundle-'));
  try {
    mkdirSync(join(staging, folder));
    for (const [name, text, mode] of files) writeFileSync(join(staging, folder, name), text, { mode });
    mkdirSync(dirname(opts.out), { recursive: true });
    const tmpOut = `${opts.out}.tmp-${process.pid}`;
    const entries = [folder, ...files.map(([name]) => `${folder}/${name}`)];
    // portable: no owner names or ids from this machine in the archive.
    await createTar({ gzip: true, file: tmpOut, cwd: staging, portable: true, noDirRecurse: true }, entries);
    renameSync(tmpOut, opts.out);
    return { path: opts.out, folder, entries, registry };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
