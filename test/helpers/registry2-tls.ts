/**
 * registry:2 over TLS with a CA made here by openssl (a server certificate for 127.0.0.1 only) and
 * htpasswd auth, on a storage folder another registry:2 may share.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchPeerCertificate } from '../../src-server/remote/trust';
import { freePort, registry2Config } from './registry2';

/** A running TLS registry:2 and its CA. */
export interface TlsRegistry2 {
  url: string;
  host: string;
  /** The CA's PEM, and its file. */
  caPem: string;
  caFile: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Makes the CA and certificate in `dir`, then serves `dataDir` over https on a free port. */
export async function startTlsRegistry2(dir: string, dataDir: string, htpasswd: string): Promise<TlsRegistry2> {
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Contents Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  const caFile = join(dir, 'ca.pem');
  const port = await freePort();
  const file = join(dir, 'tls.yml');
  writeFileSync(file, registry2Config(dataDir, port, { tls: { certificate: join(dir, 'server.pem'), key: join(dir, 'server.key') }, htpasswd }));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  const proc = spawn('docker-registry', ['serve', file], { env, stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (!(await fetchPeerCertificate(url, 1000).then(() => true, () => false))) {
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      throw new Error('docker-registry (TLS) did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    caPem: readFileSync(caFile, 'utf8'),
    caFile,
    proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
