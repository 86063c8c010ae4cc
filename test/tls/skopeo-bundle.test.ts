/**
 * The generated certificate and the client bundle with a real client: `berth serve` over HTTPS
 * with the server certificate from `berth cert regenerate` (via http.tls), the bundle's
 * install-linux.sh run into a prefix, and skopeo pushing and pulling with only the cert dir it
 * installed, and ctr pulling through the hosts.toml it wrote (with the prefix's certs.d mounted
 * where the file says, /etc/containerd/certs.d). Without the bundle, both refuse the registry with
 * an x509 error.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBerth, spawnServe, tempDir, type RunningBerth } from '../helpers/berth-server';
import { startContainerd } from '../clients/containerd';
import { ctrOnTarget } from '../trust/trust-setup';
import { containersSandbox, runTool, writeOciLayout, type ContainersSandbox } from '../helpers/images';

const tmp = tempDir('berth-tls-skopeo-');
const data = join(tmp.dir, 'data');
const tls = join(data, 'berth', 'tls');
let berth: RunningBerth;
let sandbox: ContainersSandbox;
let port = '';

const installed = new Map<string, { certDir: string; hostsDir: string }>();

/**
 * `berth cert bundle` for `host`, extracted and installed with `install-linux.sh --root PREFIX`
 * (once per host): the containers cert dir and the containerd hosts dir it wrote.
 */
async function install(host: string): Promise<{ certDir: string; hostsDir: string }> {
  const done = installed.get(host);
  if (done) return done;
  const work = join(tmp.dir, host.replace(/[^a-z0-9]/g, '-'));
  mkdirSync(work);
  const archive = join(work, 'bundle.tar.gz');
  const b = await runBerth(['cert', 'bundle', '--data', data, '--host', host, '--out', archive]);
  expect(b.stderr).toBe('');
  expect(b.code).toBe(0);
  await runTool('tar', ['xzf', archive, '-C', work]);
  const prefix = join(work, 'prefix');
  mkdirSync(join(prefix, 'etc'), { recursive: true });
  copyFileSync('/etc/os-release', join(prefix, 'etc', 'os-release'));
  const slug = host.replace(':', '-');
  await runTool('sh', [join(work, `berth-client-${slug}`, 'install-linux.sh'), '--root', prefix]);
  const dirs = { certDir: join(prefix, 'etc', 'containers', 'certs.d', host), hostsDir: join(prefix, 'etc', 'containerd', 'certs.d') };
  installed.set(host, dirs);
  return dirs;
}

beforeAll(async () => {
  const gen = await runBerth(['cert', 'regenerate', '--data', data]);
  expect(gen.code).toBe(0);
  berth = await spawnServe(['serve', '--data', data, '--listen', '127.0.0.1:0', '--auth', 'none'], {
    REGISTRY_HTTP_TLS_CERTIFICATE: join(tls, 'server.crt'),
    REGISTRY_HTTP_TLS_KEY: join(tls, 'server.key'),
  });
  expect(berth.url).toMatch(/^https:\/\//);
  port = berth.url.split(':').pop()!;
  sandbox = containersSandbox(join(tmp.dir, 'sandbox'));
});

afterAll(async () => {
  await berth?.stop();
  sandbox?.cleanup();
  tmp.cleanup();
});

describe('skopeo with the client bundle', () => {
  it('fails with an x509 error without the bundle', async () => {
    const r = await sandbox.skopeo(['inspect', '--raw', `docker://127.0.0.1:${port}/bundle/none:v1`], { allowFailure: true, timeoutMs: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/x509: certificate signed by unknown authority/);
  });

  it('pushes and pulls over 127.0.0.1:PORT with only the installed cert dir', async () => {
    const { certDir } = await install(`127.0.0.1:${port}`);
    expect(readFileSync(join(certDir, 'ca.crt')).equals(readFileSync(join(tls, 'ca.crt')))).toBe(true);
    const src = join(tmp.dir, 'src');
    const { top } = writeOciLayout(src, { tag: 'v1' });
    const ref = `docker://127.0.0.1:${port}/bundle/img:v1`;
    await sandbox.skopeo(['copy', '--dest-cert-dir', certDir, `oci:${src}:v1`, ref], { timeoutMs: 120_000 });
    const raw = await sandbox.skopeo(['inspect', '--raw', '--cert-dir', certDir, ref], { timeoutMs: 60_000 });
    expect(JSON.parse(raw.stdout).config.digest).toBe(JSON.parse(readFileSync(join(src, 'blobs', 'sha256', top.digest.slice(7)), 'utf8')).config.digest);
    const dst = join(tmp.dir, 'dst');
    await sandbox.skopeo(['copy', '--src-cert-dir', certDir, ref, `oci:${dst}:v1`], { timeoutMs: 120_000 });
    const index = JSON.parse(readFileSync(join(dst, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(top.digest);
  });

  it('also trusts the registry named localhost:PORT (a DNS SAN), with that name\'s cert dir', async () => {
    const { certDir } = await install(`localhost:${port}`);
    const r = await sandbox.skopeo(['inspect', '--raw', '--cert-dir', certDir, `docker://localhost:${port}/bundle/img:v1`], { timeoutMs: 60_000 });
    expect(JSON.parse(r.stdout).schemaVersion).toBe(2);
    // Without the cert dir, the same name is refused.
    const wrong = await sandbox.skopeo(['inspect', '--raw', `docker://localhost:${port}/bundle/img:v1`], { allowFailure: true, timeoutMs: 60_000 });
    expect(wrong.stderr).toMatch(/x509: certificate signed by unknown authority/);
  });

  it('ctr pulls through the installed hosts.toml (--hosts-dir), and fails without it', async () => {
    const { hostsDir } = await install(`127.0.0.1:${port}`);
    const containerd = await startContainerd(join(tmp.dir, 'containerd'));
    try {
      const ref = `127.0.0.1:${port}/bundle/img:v1`;
      // The same hosts.toml without its `ca` line: the CA is what makes it work.
      const host = `127.0.0.1:${port}`;
      const noCa = join(tmp.dir, 'hosts-no-ca');
      mkdirSync(join(noCa, host), { recursive: true });
      const toml = readFileSync(join(hostsDir, host, 'hosts.toml'), 'utf8');
      // The path on the target system, not under the prefix the script wrote into.
      expect(toml).toContain(`ca = "/etc/containerd/certs.d/${host}/ca.crt"`);
      expect(toml).not.toContain(tmp.dir);
      writeFileSync(join(noCa, host, 'hosts.toml'), toml.replace(/^\s*ca = .*$/m, ''));
      const bare = await containerd.ctr(['images', 'pull', '--hosts-dir', noCa, ref], { allowFailure: true, timeoutMs: 60_000 });
      expect(bare.code).not.toBe(0);
      expect(bare.stderr).toMatch(/x509: certificate signed by unknown authority/);
      await ctrOnTarget(containerd, { containerdHostsDir: hostsDir }, 'pull', [ref]);
      const list = await containerd.ctr(['images', 'ls', '-q']);
      expect(list.stdout.split('\n')).toContain(ref);
    } finally {
      await containerd.stop();
    }
  });
});
