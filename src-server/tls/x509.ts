import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { nameConstraintsExtension, type NameConstraints } from './name-constraints';
import { canonicalIp, ipBytes } from './names';

const { pki } = forge;
const generateKeyPairAsync = promisify(generateKeyPair);

/** RSA size of the CA key: it lives ten years. */
export const CA_KEY_BITS = 3072;
/** RSA size of the server key: it lives about one year. */
export const SERVER_KEY_BITS = 2048;
/** Lifetime of the CA. */
export const CA_VALIDITY_YEARS = 10;
/** Lifetime of the server certificate: the longest that browsers and Apple platforms accept for a leaf. */
export const SERVER_VALIDITY_DAYS = 397;
/** notBefore is set this far in the past so that a client with a slightly slow clock still accepts it. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** An RSA key pair as PEM: PKCS#8 private key, SPKI public key. */
export interface KeyPairPem {
  privateKey: string;
  publicKey: string;
}

/**
 * Generates an RSA key with Node's crypto (native and off the main thread, unlike forge's JS
 * prime search, which takes seconds).
 */
export async function generateRsaKey(bits: number): Promise<KeyPairPem> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey, publicKey };
}

/** A random positive 128-bit serial number as hex, without a leading zero byte (DER INTEGER rules). */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) || 0x01;
  return b.toString('hex');
}

/** PEM with Unix line endings (forge writes CRLF). */
function toPem(cert: forge.pki.Certificate): string {
  return pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

/**
 * CN + O as UTF8String: forge's default PrintableString cannot hold `_` (valid in host names), and
 * Go's strict parser (docker, skopeo, containerd) rejects a certificate that gets it wrong.
 */
function distinguishedName(commonName: string): forge.pki.CertificateField[] {
  const utf8 = forge.asn1.Type.UTF8;
  return [
    { name: 'commonName', value: commonName, valueTagClass: utf8 as unknown as forge.asn1.Class },
    { name: 'organizationName', value: 'Berth', valueTagClass: utf8 as unknown as forge.asn1.Class },
  ];
}

function newCertificate(publicKeyPem: string, now: Date, notAfter: Date): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  cert.validity.notAfter = notAfter;
  return cert;
}

/**
 * Creates a self-signed CA certificate for `key`: CA:true with pathlen 0, keyCertSign + cRLSign,
 * 10 years, and with `constraints` the critical name constraints limiting what it may vouch for.
 */
export function createCaCertificate(opts: { commonName: string; key: KeyPairPem; now: Date; constraints?: NameConstraints }): string {
  const notAfter = new Date(opts.now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  const cert = newCertificate(opts.key.publicKey, opts.now, notAfter);
  const subject = distinguishedName(opts.commonName);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    ...(opts.constraints ? [nameConstraintsExtension(opts.constraints)] : []),
  ]);
  cert.sign(pki.privateKeyFromPem(opts.key.privateKey), forge.md.sha256.create());
  return toPem(cert);
}

/**
 * Creates a server certificate for `names` (DNS names, wildcards and IP addresses, all as SANs),
 * signed by the CA: serverAuth, 397 days, sha256, random serial. The subject CN is `commonName`.
 */
export function createServerCertificate(opts: {
  ca: { cert: string; key: string };
  commonName: string;
  names: readonly string[];
  key: KeyPairPem;
  now: Date;
}): string {
  const caCert = pki.certificateFromPem(opts.ca.cert);
  const cert = newCertificate(opts.key.publicKey, opts.now, new Date(opts.now.getTime() + SERVER_VALIDITY_DAYS * DAY_MS));
  cert.setSubject(distinguishedName(opts.commonName));
  cert.setIssuer(caCert.subject.attributes);
  const altNames = opts.names.map((n) =>
    // iPAddress SANs are given as raw bytes: forge's own IPv6 parser mishandles compressed forms.
    canonicalIp(n) !== undefined ? { type: 7, value: ipBytes(n).toString('binary') } : { type: 2, value: n },
  );
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(pki.privateKeyFromPem(opts.ca.key), forge.md.sha256.create());
  return toPem(cert);
}
