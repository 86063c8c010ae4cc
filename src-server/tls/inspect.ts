import { createPrivateKey, X509Certificate } from 'node:crypto';
import { canonicalIp } from './names';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What `berth cert info` shows about one certificate. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Subject alternative names: DNS names as written, IP addresses in canonical form. */
  names: string[];
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  /** SHA-256 of the DER certificate, upper-case hex pairs joined by colons (as openssl prints it). */
  sha256: string;
  serial: string;
  isCa: boolean;
}

/** Parses a PEM certificate (the first one when the file holds a chain). */
export function parseCertificate(pem: string | Buffer): X509Certificate {
  return new X509Certificate(pem);
}

/** The SANs of a certificate (DNS and IP entries), IPs canonicalised so they compare as strings. */
export function certificateNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (!san) return [];
  const names: string[] = [];
  for (const entry of san.split(', ')) {
    if (entry.startsWith('DNS:')) names.push(entry.slice(4).toLowerCase());
    else if (entry.startsWith('IP Address:')) names.push(canonicalIp(entry.slice(11)) ?? entry.slice(11));
  }
  return names;
}

/** Summarises a certificate for display; `now` decides the days left. */
export function summarize(cert: X509Certificate, now: Date): CertificateSummary {
  const notAfter = new Date(cert.validTo);
  return {
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    names: certificateNames(cert),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
    sha256: cert.fingerprint256,
    serial: cert.serialNumber,
    isCa: cert.ca,
  };
}

/** True when `keyPem` is the private key of `cert`. */
export function keyMatches(cert: X509Certificate, keyPem: string | Buffer): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** True when `cert` was issued and signed by `ca`. */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** Milliseconds from `now` until the certificate expires. */
export function msLeft(cert: X509Certificate, now: Date): number {
  return new Date(cert.validTo).getTime() - now.getTime();
}
