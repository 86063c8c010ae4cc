import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidNamesError, type MachineNames } from './names';
import { keepCertificateFresh } from './renewal';
import { CertificateStore, tlsDir } from './store';

const root = mkdtempSync(join(tmpdir(), 'berth-tls-'));
let n = 0;
const fresh = () => join(root, `d${++n}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DAY = 24 * 60 * 60 * 1000;
const MACHINE: MachineNames = {
  hostname: 'berth-box',
  interfaces: {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: null }],
    eth0: [{ address: '192.0.2.10', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null }],
  },
};

function openssl(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Serves `cert`/`key` on 127.0.0.1 and returns the server and its port. */
async function httpsServer(cert: string, key: string): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert, key }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** GET / trusting only `ca`, connecting to 127.0.0.1 but naming `host` (SNI + identity check). */
function get(port: number, host: string, ca?: string): Promise<{ body: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', ca, servername: isIP(host) ? undefined : host, agent: false,
        checkServerIdentity: (_h, cert) => checkServerIdentity(host, cert),
        timeout: 10_000 },
      (res) => {
        let body = '';
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ body, fingerprint }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('CertificateStore (generated CA)', () => {
  const dataDir = fresh();
  const dir = tlsDir(dataDir);
  const store = new CertificateStore({ dir, machine: () => MACHINE });
  const file = (f: string) => join(dir, f);

  it('creates a CA and a server certificate that openssl verifies', async () => {
    const m = await store.ensure();
    expect(m.changed).toBe(true);
    expect(m.reasons.join('\n')).toMatch(/new CA: ca\.crt is missing/);
    expect(dir).toBe(join(dataDir, 'berth', 'tls'));
    expect(readFileSync(file('server.crt'), 'utf8')).toBe(m.cert);
    expect(readFileSync(file('ca.crt'), 'utf8')).toBe(m.ca);
    expect(statSync(file('ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(file('server.key')).mode & 0o777).toBe(0o600);

    expect(openssl(['verify', '-CAfile', file('ca.crt'), file('server.crt')])).toEqual({ code: 0, out: `${file('server.crt')}: OK\n` });

    const caText = openssl(['x509', '-in', file('ca.crt'), '-noout', '-text']).out;
    expect(caText).toMatch(/Subject: CN ?= ?Berth Local CA \(berth-box\), O ?= ?Berth/);
    expect(caText).toMatch(/CA:TRUE, pathlen:0/);
    expect(caText).toMatch(/Certificate Sign, CRL Sign/);
    expect(caText).toMatch(/Public-Key: \(3072 bit\)/);
    expect(caText).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);

    const text = openssl(['x509', '-in', file('server.crt'), '-noout', '-text']).out;
    expect(text).toMatch(/Subject: CN ?= ?berth-box/);
    const san = /X509v3 Subject Alternative Name: *\n\s*(.*)/.exec(text)?.[1];
    expect(san?.split(', ').sort()).toEqual(
      ['DNS:localhost', 'DNS:berth-box', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:192.0.2.10'].sort(),
    );
    expect(text).toMatch(/TLS Web Server Authentication/);
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    const cert = new X509Certificate(m.cert);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY;
    expect(Math.round(days * 24) / 24).toBeCloseTo(397 + 1 / 24, 3);
    expect(new X509Certificate(m.ca!).validTo).toMatch(String(new Date().getUTCFullYear() + 10));
  });

  it('changes nothing on the next ensure()', async () => {
    const before = readFileSync(file('server.crt'), 'utf8');
    const m = await store.ensure();
    expect(m).toMatchObject({ changed: false, reasons: [], cert: before });
  });

  it('is trusted by a client given only ca.crt, for 127.0.0.1 and localhost', async () => {
    const m = await store.ensure();
    const { server, port } = await httpsServer(m.cert, m.key);
    try {
      expect((await get(port, '127.0.0.1', m.ca)).body).toBe('ok');
      expect((await get(port, 'localhost', m.ca)).body).toBe('ok');
      expect((await get(port, 'berth-box', m.ca)).body).toBe('ok');
      await expect(get(port, '127.0.0.1')).rejects.toThrow(/self[- ]signed|unable to verify|UNABLE_TO_GET_ISSUER/i);
      await expect(get(port, 'other.example', m.ca)).rejects.toThrow(/not in the cert's altnames|does not match/i);
    } finally {
      server.close();
    }
  });

  it('reports CA and server in info() with openssl-equal fingerprints', () => {
    const info = store.info();
    expect(info.mode).toBe('generated');
    expect(info.renewalDue).toEqual([]);
    const fp = (f: string) => /=(.*)/.exec(openssl(['x509', '-in', file(f), '-noout', '-fingerprint', '-sha256']).out)![1];
    expect(info.server!.sha256).toBe(fp('server.crt'));
    expect(info.ca!.sha256).toBe(fp('ca.crt'));
    expect(info.ca!.subject).toBe('CN=Berth Local CA (berth-box), O=Berth');
    expect(info.server!.issuer).toBe(info.ca!.subject);
    expect(info.server!.names.sort()).toEqual(['127.0.0.1', '192.0.2.10', '::1', 'berth-box', 'localhost']);
    expect(info.server!.daysLeft).toBe(396);
    expect(info.ca!.isCa).toBe(true);
    expect(info.server!.path).toBe(file('server.crt'));
  });

  it('renews the server certificate, keeping the CA, when now() says 20 days are left', async () => {
    const oldCert = readFileSync(file('server.crt'), 'utf8');
    const caBefore = readFileSync(file('ca.crt'));
    const caKeyBefore = readFileSync(file('ca.key'));
    const fakeNow = new Date(Date.parse(new X509Certificate(oldCert).validTo) - 20 * DAY);
    const later = new CertificateStore({ dir, machine: () => MACHINE, now: () => fakeNow });
    expect(later.info().renewalDue).toEqual(['the server certificate expires within 30 days']);
    const m = await later.ensure();
    expect(m.changed).toBe(true);
    expect(m.reasons).toEqual(['new server certificate: the server certificate expires within 30 days']);
    expect(m.cert).not.toBe(oldCert);
    expect(readFileSync(file('ca.crt')).equals(caBefore)).toBe(true);
    expect(readFileSync(file('ca.key')).equals(caKeyBefore)).toBe(true);
    const renewed = new X509Certificate(m.cert);
    expect(Math.abs(Date.parse(renewed.validFrom) - (fakeNow.getTime() - 3600_000))).toBeLessThan(2000);
    const at = String(Math.floor(fakeNow.getTime() / 1000) + 60);
    expect(openssl(['verify', '-attime', at, '-CAfile', file('ca.crt'), file('server.crt')]).code).toBe(0);
    expect(later.info().server!.daysLeft).toBe(397);
    // Back on the real clock, a certificate from the future is replaced (a clock that was set wrong).
    expect((await store.ensure()).reasons).toEqual(['new server certificate: the server certificate is not valid yet']);
    expect(readFileSync(file('ca.crt')).equals(caBefore)).toBe(true);
  });

  it('renews when the machine gets a new LAN address, and when names are added', async () => {
    const withWifi: MachineNames = {
      ...MACHINE,
      interfaces: {
        ...MACHINE.interfaces,
        wlan0: [{ address: '192.168.50.7', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null }],
      },
    };
    const caBefore = readFileSync(file('ca.crt'), 'utf8');
    const moved = new CertificateStore({ dir, machine: () => withWifi });
    expect(moved.info().renewalDue).toEqual(['the names changed (new: 192.168.50.7)']);
    const m = await moved.ensure();
    expect(m.reasons).toEqual(['new server certificate: the names changed (new: 192.168.50.7)']);
    expect(moved.info().server!.names).toContain('192.168.50.7');

    const m2 = await moved.regenerate({ names: ['Registry.Berth-Box', '10.9.8.7'] });
    expect(m2.ca).toBe(caBefore);
    expect(JSON.parse(readFileSync(file('names.json'), 'utf8'))).toEqual({ names: ['registry.berth-box', '10.9.8.7'] });
    const text = openssl(['x509', '-in', file('server.crt'), '-noout', '-ext', 'subjectAltName']).out;
    expect(text).toContain('DNS:registry.berth-box');
    expect(text).toContain('IP Address:10.9.8.7');
    // Back on the first network: the wifi address goes away, the names stay.
    const back = new CertificateStore({ dir, machine: () => MACHINE });
    expect((await back.ensure()).reasons).toEqual(['new server certificate: the names changed (gone: 192.168.50.7)']);
    expect(back.info().server!.names).toContain('registry.berth-box');
    await expect(back.regenerate({ names: ['a.*.b'] })).rejects.toThrow(/left-most label/);
  });

  it('refuses names outside the CA, writing nothing, and covers them with a new CA on request', async () => {
    const caBefore = readFileSync(file('ca.crt'), 'utf8');
    const namesBefore = readFileSync(file('names.json'), 'utf8');
    const outside = store.regenerate({ names: ['registry.berth-box', '*.Registry.Local', 'registry.example.test'] });
    await expect(outside).rejects.toThrow(
      /^\*\.registry\.local, registry\.example\.test are outside the names Berth's CA may vouch for \(localhost, berth-box, berth-box\.local, 127\.0\.0\.0\/8, .*\)\. .*every client must then trust .*berth cert names add --new-ca \*\.registry\.local registry\.example\.test$/,
    );
    expect(readFileSync(file('names.json'), 'utf8')).toBe(namesBefore);
    expect(readFileSync(file('ca.crt'), 'utf8')).toBe(caBefore);

    const m = await store.regenerate({ names: ['registry.berth-box', '*.Registry.Local', 'registry.example.test'], newCa: true });
    expect(m.ca).not.toBe(caBefore);
    expect(store.info().caConstraints!.dns).toEqual(['localhost', 'berth-box', 'berth-box.local', 'registry.local', 'registry.example.test']);
    expect(openssl(['verify', '-CAfile', file('ca.crt'), file('server.crt')]).code).toBe(0);
    const { server, port } = await httpsServer(m.cert, m.key);
    try {
      expect((await get(port, 'team.registry.local', m.ca)).body).toBe('ok');
      await expect(get(port, 'a.b.registry.local', m.ca)).rejects.toThrow(/altnames|does not match/i);
    } finally {
      server.close();
    }
  });

  it('refuses every name that cannot go into a certificate, each by name and reason, before anything is written', async () => {
    const before = ['ca.crt', 'server.crt', 'names.json'].map((f) => readFileSync(file(f), 'utf8'));
    for (const newCa of [false, true]) {
      const err = await store.regenerate({ names: ['registry.berth-box', 'exa_mple..com', '999.1.1.1'], newCa }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidNamesError);
      expect((err as InvalidNamesError).message).toMatch(/^2 names cannot go into a certificate: exa_mple\.\.com \(.+\); 999\.1\.1\.1 \(neither an IPv4 address .+\)$/);
      expect((err as InvalidNamesError).invalid.map((i) => i.name)).toEqual(['exa_mple..com', '999.1.1.1']);
      expect(['ca.crt', 'server.crt', 'names.json'].map((f) => readFileSync(file(f), 'utf8'))).toEqual(before);
    }
    expect(() => store.writeNames(['ok.berth-box', 'bad_name'])).toThrow(/^invalid name bad_name: /);
  });

  it('leaves a new address outside the CA out of the certificate, and says so', async () => {
    const onPublic: MachineNames = {
      ...MACHINE,
      interfaces: { ...MACHINE.interfaces, wan0: [{ address: '198.51.100.7', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null }] },
    };
    const moved = new CertificateStore({ dir, machine: () => onPublic });
    const info = moved.info();
    expect(info.outsideCa).toEqual(['198.51.100.7']);
    expect(info.wantedNames).not.toContain('198.51.100.7');
    expect(info.renewalDue).toEqual([]);
    expect(moved.namesOutsideCa()).toEqual(['198.51.100.7']);
    const m = await moved.regenerate();
    expect(new X509Certificate(m.cert).subjectAltName).not.toContain('198.51.100.7');
    expect(openssl(['verify', '-CAfile', file('ca.crt'), file('server.crt')]).code).toBe(0);
  });

  it('makes a new CA on request; the old CA no longer verifies the server', async () => {
    const oldCa = join(root, 'old-ca.crt');
    writeFileSync(oldCa, readFileSync(file('ca.crt')));
    const m = await store.regenerate({ newCa: true });
    expect(m.reasons).toEqual(['new CA: a new CA was asked for', 'new server certificate: a new certificate was asked for']);
    expect(openssl(['verify', '-CAfile', file('ca.crt'), file('server.crt')]).code).toBe(0);
    expect(openssl(['verify', '-CAfile', oldCa, file('server.crt')]).code).not.toBe(0);
  });

  it('replaces a server certificate whose key was lost or swapped', async () => {
    rmSync(file('server.key'));
    expect((await store.ensure()).reasons).toEqual(['new server certificate: server.key is missing']);
    writeFileSync(file('server.key'), readFileSync(file('ca.key')));
    expect((await store.ensure()).reasons).toEqual(['new server certificate: server.key does not belong to server.crt']);
    expect(openssl(['verify', '-CAfile', file('ca.crt'), file('server.crt')]).code).toBe(0);
  });

  it('swaps the certificate of a running server (setSecureContext) when it changed on disk', async () => {
    const m = await store.ensure();
    const { server, port } = await httpsServer(m.cert, m.key);
    const renewal = keepCertificateFresh(server, store, { current: m.cert, intervalMs: 3_600_000 });
    try {
      const first = await get(port, 'localhost', m.ca);
      expect(await renewal.check()).toBe(false);
      // Another process (berth cert regenerate) issues a new certificate.
      await new CertificateStore({ dir, machine: () => MACHINE }).regenerate();
      expect(await renewal.check()).toBe(true);
      const second = await get(port, 'localhost', m.ca);
      expect(second.fingerprint).not.toBe(first.fingerprint);
      expect(second.fingerprint).toBe(new X509Certificate(readFileSync(file('server.crt'))).fingerprint256);
      expect(await renewal.check()).toBe(false);
    } finally {
      renewal.stop();
      server.close();
    }
  });
});

describe('CertificateStore (a host name that is no DNS name)', () => {
  it('still makes a valid chain: names as UTF8String, the host name left out of the SANs', async () => {
    const dir = fresh();
    const m = await new CertificateStore({ dir, machine: () => ({ hostname: 'my_box', interfaces: {} }) }).ensure();
    expect(new X509Certificate(m.ca!).subject).toBe('CN=Berth Local CA (my_box)\nO=Berth');
    expect(openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'server.crt')]).code).toBe(0);
    const asn1 = openssl(['asn1parse', '-in', join(dir, 'server.crt')]).out;
    expect(asn1).toMatch(/UTF8STRING\s+:my_box/);
    expect(asn1).not.toMatch(/PRINTABLESTRING/);
    expect(new X509Certificate(m.cert).subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  });
});

describe('CertificateStore (two writers on one directory)', () => {
  it('generates once when two stores ensure() at the same time; the lock is released', async () => {
    const dir = fresh();
    const [a, b] = await Promise.all([
      new CertificateStore({ dir, machine: () => MACHINE }).ensure(),
      new CertificateStore({ dir, machine: () => MACHINE }).ensure(),
    ]);
    expect(a.cert).toBe(b.cert);
    expect(a.ca).toBe(b.ca);
    expect([a.reasons.length, b.reasons.length].sort()).toEqual([0, 2]);
    expect(readFileSync(join(dir, 'server.crt'), 'utf8')).toBe(a.cert);
    expect(openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'server.crt')]).code).toBe(0);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.lock'), '');
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(join(dir, '.lock'), old, old);
    const m = await new CertificateStore({ dir, machine: () => MACHINE }).ensure();
    expect(m.reasons).toHaveLength(2);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });
});

describe('CertificateStore (bring your own)', () => {
  const dir = fresh();
  execFileSync('mkdir', ['-p', dir]);
  const cert = join(dir, 'own.crt');
  const key = join(dir, 'own.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30',
    '-subj', '/CN=registry.example.test', '-addext', 'subjectAltName=DNS:registry.example.test,IP:127.0.0.1',
    '-keyout', key, '-out', cert], { stdio: 'ignore' });

  it('uses the given pair as it is and reports it without a CA', async () => {
    const store = new CertificateStore({ dir: join(dir, 'tls'), provided: { certificate: cert, key } });
    const m = await store.ensure();
    expect(m.cert).toBe(readFileSync(cert, 'utf8'));
    expect(m.key).toBe(readFileSync(key, 'utf8'));
    expect(m.ca).toBeUndefined();
    const info = store.info();
    expect(info.mode).toBe('provided');
    expect(info.ca).toBeNull();
    expect(info.server).toMatchObject({ subject: 'CN=registry.example.test', names: ['registry.example.test', '127.0.0.1'], path: cert });
    expect(info.server!.daysLeft).toBe(29);
    await expect(store.regenerate()).rejects.toThrow(/provided by configuration/);
  });

  it('refuses a key that does not belong to the certificate, and a missing file', async () => {
    const other = join(dir, 'other.key');
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', other], { stdio: 'ignore' });
    await expect(new CertificateStore({ dir, provided: { certificate: cert, key: other } }).ensure()).rejects.toThrow(
      `the TLS key ${other} does not belong to the certificate ${cert}`,
    );
    await expect(new CertificateStore({ dir, provided: { certificate: join(dir, 'nope.crt'), key } }).ensure()).rejects.toThrow(
      /cannot read TLS certificate .*nope\.crt: no such file/,
    );
  });
});
