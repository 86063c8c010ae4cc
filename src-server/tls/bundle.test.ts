import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatesOnly, defaultBundleName, writeClientBundle } from './bundle';
import { parseRegistryHost } from './registry-host';
import { CertificateStore } from './store';

const root = mkdtempSync(join(tmpdir(), 'berth-bundle-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const REG = 'registry.example.test:5443';
const FOLDER = 'berth-client-registry.example.test-5443';
const FILES = ['README.md', 'ca.crt', 'install-linux.sh', 'install-macos.sh', 'install-windows.ps1'];

let caPem = '';
let caKey = '';
let serverKey = '';
let bundleDir = '';
let archive = '';

/** Fake trust-store update commands: each leaves a marker in `log` when run. */
function fakeBin(dir: string, log: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const cmd of ['update-ca-certificates', 'update-ca-trust', 'trust', 'security', 'sudo']) {
    writeFileSync(join(bin, cmd), `#!/bin/sh\necho "${cmd} $*" >> "${log}"\n`, { mode: 0o755 });
  }
  return bin;
}

function sh(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('sh', args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A minimal TOML reader for hosts.toml: `key = "s"`, `key = ["a", ...]`, `[host."url"]` tables, comments. */
function parseHostsToml(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let table: Record<string, unknown> = out;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const t = /^\[host\."([^"]+)"\]$/.exec(line);
    if (t) {
      const hosts = (out.host ??= {}) as Record<string, unknown>;
      table = hosts[t[1]!] = {};
      continue;
    }
    const kv = /^([a-z_]+) = (.+)$/.exec(line);
    if (!kv) throw new Error(`not TOML this reader knows: ${line}`);
    table[kv[1]!] = JSON.parse(kv[2]!);
  }
  return out;
}

beforeAll(async () => {
  const store = new CertificateStore({ dir: join(root, 'tls') });
  const m = await store.ensure();
  caPem = m.ca!;
  caKey = readFileSync(join(root, 'tls', 'ca.key'), 'utf8');
  serverKey = m.key;
  archive = join(root, 'out', defaultBundleName(REG));
  const b = await writeClientBundle({ caPem, host: REG, out: archive, httpUrl: 'http://registry.example.test:5000' });
  expect(b).toMatchObject({ path: archive, folder: FOLDER, entries: [FOLDER, ...FILES.map((f) => `${FOLDER}/${f}`)] });
  const x = join(root, 'x');
  mkdirSync(x);
  execFileSync('tar', ['xzf', archive, '-C', x]);
  bundleDir = join(x, FOLDER);
});

describe('client bundle archive', () => {
  it('is named after the registry and lists exactly the expected files', () => {
    expect(archive.endsWith('berth-client-registry.example.test-5443.tar.gz')).toBe(true);
    const list = execFileSync('tar', ['tzf', archive], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(list).toEqual([`${FOLDER}/`, ...FILES.map((f) => `${FOLDER}/${f}`)].sort());
    expect(readFileSync(join(bundleDir, 'ca.crt'), 'utf8')).toBe(caPem);
    expect(statSync(join(bundleDir, 'install-linux.sh')).mode & 0o111).not.toBe(0);
    const verbose = execFileSync('tar', ['tvzf', archive], { encoding: 'utf8' });
    expect(verbose).not.toMatch(/root\/root/);
  });

  it('carries no private key material', () => {
    const bytes = gunzipSync(readFileSync(archive)).toString('latin1');
    expect(bytes).not.toMatch(/PRIVATE KEY/);
    for (const key of [caKey, serverKey]) {
      const body = key.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
      for (let i = 0; i + 40 <= body.length; i += 200) expect(bytes.includes(body.slice(i, i + 40))).toBe(false);
    }
  });

  it('refuses a CA file that holds a key, or no certificate', async () => {
    await expect(writeClientBundle({ caPem: `${serverKey}\n${caPem}`, host: REG, out: join(root, 'bad.tgz') })).rejects.toThrow(
      /holds a private key/,
    );
    expect(existsSync(join(root, 'bad.tgz'))).toBe(false);
    expect(() => certificatesOnly('hello')).toThrow(/no PEM certificate/);
    expect(certificatesOnly(`junk before\n${caPem}trailing`)).toBe(caPem);
    await expect(writeClientBundle({ caPem, host: REG, out: join(root, 'bad.tgz'), httpUrl: 'http://x:1/"; rm' })).rejects.toThrow(
      /invalid --http-url/,
    );
  });

  it('without a plain-HTTP address, the insecure settings name the HTTPS address', async () => {
    const out = join(root, 'plain.tgz');
    await writeClientBundle({ caPem, host: REG, out });
    const x = join(root, 'plain');
    mkdirSync(x);
    execFileSync('tar', ['xzf', out, '-C', x]);
    const readme = readFileSync(join(x, FOLDER, 'README.md'), 'utf8');
    expect(readme).toContain(`{ "insecure-registries": ["${REG}"] }`);
    expect(readme).toMatch(/location = "registry\.example\.test:5443"\n\s+insecure = true/);
    expect(readme).not.toContain('plain HTTP');
  });

  it('writes a README with the login line, per-client steps and the insecure alternative marked as less safe', () => {
    const readme = readFileSync(join(bundleDir, 'README.md'), 'utf8');
    expect(readme).toContain(`docker login ${REG}`);
    expect(readme).toContain(`/etc/docker/certs.d/${REG}/ca.crt`);
    expect(readme).toContain(`/etc/containerd/certs.d/${REG}/hosts.toml`);
    expect(readme).toContain(`/etc/containers/certs.d/${REG}/ca.crt`);
    expect(readme).toContain('security add-trusted-cert -d -r trustRoot -k\n/Library/Keychains/System.keychain ca.crt');
    // The OS trust stores only when asked.
    expect(readme).toContain('`sudo sh install-linux.sh --system` also adds it to the OS trust store');
    expect(readme).toContain('`sh install-macos.sh\n--system` also adds it to the System keychain');
    expect(readme).toContain('With `-System` it also imports it into\n`Cert:\\LocalMachine\\Root`');
    expect(readme).toContain('-ext nameConstraints');
    expect(readme).toContain('%ProgramData%\\docker\\certs.d\\registry.example.test5443\\ca.crt');
    expect(readme).toMatch(/\*\*This is the less safe choice\*\*/);
    // With a plain-HTTP address, the insecure settings name it.
    expect(readme).toContain('plain HTTP at `http://registry.example.test:5000` (`registry.example.test:5000`)');
    expect(readme).toContain('{ "insecure-registries": ["registry.example.test:5000"] }');
    expect(readme).toMatch(/location = "registry\.example\.test:5000"\n\s+insecure = true/);
    const fp = execFileSync('openssl', ['x509', '-in', join(bundleDir, 'ca.crt'), '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    expect(readme).toContain(fp.split('=')[1]!.trim());
  });

  it('has shell scripts that parse (sh -n, bash --posix -n) and a PowerShell script for the Windows stores', () => {
    for (const s of ['install-linux.sh', 'install-macos.sh']) {
      expect(sh(['-n', join(bundleDir, s)]).code).toBe(0);
      expect(spawnSync('bash', ['--posix', '-n', join(bundleDir, s)]).status).toBe(0);
    }
    const ps = readFileSync(join(bundleDir, 'install-windows.ps1'), 'utf8');
    expect(ps).toContain('Import-Certificate -FilePath $Ca -CertStoreLocation Cert:\\LocalMachine\\Root');
    expect(ps).toContain("$Registry = 'registry.example.test:5443'");
    expect(ps).toContain("Join-Path $env:ProgramData ('docker\\certs.d\\' + ($Registry -replace '[:\\[\\]]', ''))");
    expect(ps.split('\r\n').length).toBeGreaterThan(10);
  });
});

describe('registry address', () => {
  it.each([
    ['registry.local:5443', 'registry.local:5443', 'registry.local-5443'],
    ['Reg.Example.Test:443', 'reg.example.test:443', 'reg.example.test-443'],
    ['127.0.0.1:5000', '127.0.0.1:5000', '127.0.0.1-5000'],
    ['[FD00::2]:5443', '[fd00::2]:5443', 'fd00--2-5443'],
    ['localhost:1', 'localhost:1', 'localhost-1'],
  ])('accepts %s', (input, authority, slug) => {
    expect(parseRegistryHost(input)).toMatchObject({ authority, slug });
  });

  it.each(['registry.local', 'registry.local:', ':5000', 'host:0', 'host:70000', '::1:5000', '[nope]:5000', '[1.2.3.4]:5',
    "a';rm -rf /;':5000", 'a b:5000', '*.x.y:5000', 'https://x:5000', 'x:5000/path'])('refuses %j', (input) => {
    expect(() => parseRegistryHost(input)).toThrow(/invalid/);
  });
});

describe('install-linux.sh into a prefix', () => {
  const DISTROS: Array<[string, string, string]> = [
    ['debian', 'ID=debian\nVERSION_ID="12"\n', '/usr/local/share/ca-certificates'],
    ['ubuntu', 'ID=ubuntu\nID_LIKE=debian\n', '/usr/local/share/ca-certificates'],
    ['fedora', 'ID=fedora\nVERSION_ID=40\n', '/etc/pki/ca-trust/source/anchors'],
    ['rhel', 'ID="rhel"\nID_LIKE="fedora"\n', '/etc/pki/ca-trust/source/anchors'],
    ['rocky (via ID_LIKE)', 'ID="rocky"\nID_LIKE="rhel centos fedora"\n', '/etc/pki/ca-trust/source/anchors'],
    ['alpine', 'ID=alpine\n', '/usr/local/share/ca-certificates'],
    ['arch', 'ID=arch\n', '/etc/ca-certificates/trust-source/anchors'],
    ['linuxmint (via ID_LIKE)', "ID=linuxmint\nID_LIKE='ubuntu debian'\n", '/usr/local/share/ca-certificates'],
  ];

  it.each(DISTROS)('with --system puts the CA everywhere for %s, runs no update command, and is idempotent', (name, osRelease, anchors) => {
    const dir = join(root, `prefix-${name.split(' ')[0]}`);
    const prefix = join(dir, 'root');
    mkdirSync(join(prefix, 'etc'), { recursive: true });
    writeFileSync(join(prefix, 'etc', 'os-release'), osRelease);
    const log = join(dir, 'ran.log');
    const bin = fakeBin(dir, log);
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const r = sh([join(bundleDir, 'install-linux.sh'), '--system', '--root', prefix], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ca = readFileSync(join(bundleDir, 'ca.crt'));
    const expected = [
      `/etc/docker/certs.d/${REG}/ca.crt`,
      `/etc/containers/certs.d/${REG}/ca.crt`,
      `/etc/containerd/certs.d/${REG}/ca.crt`,
      `${anchors}/berth-registry.example.test-5443.crt`,
    ];
    for (const p of expected) {
      expect(readFileSync(join(prefix, p)).equals(ca), p).toBe(true);
      expect(statSync(join(prefix, p)).mode & 0o777).toBe(0o644);
      expect(r.stdout).toContain(`installed  ${prefix}${p}`);
    }
    const toml = parseHostsToml(readFileSync(join(prefix, `etc/containerd/certs.d/${REG}/hosts.toml`), 'utf8'));
    // The path the file names is the one on the target system, not under the prefix.
    expect(toml).toEqual({
      server: `https://${REG}`,
      host: { [`https://${REG}`]: { capabilities: ['pull', 'resolve', 'push'], ca: `/etc/containerd/certs.d/${REG}/ca.crt` } },
    });
    expect(existsSync(log)).toBe(false);
    expect(r.stdout).toMatch(/skipped {4}(update-ca-certificates|update-ca-trust|trust extract-compat)/);
    expect(r.stdout).toContain(`docker login ${REG}`);
    // Nothing else was written, no temp files left.
    const all = execFileSync('find', [prefix, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n').map((p) => p.slice(prefix.length)).sort();
    expect(all).toEqual([...expected, `/etc/containerd/certs.d/${REG}/hosts.toml`, '/etc/os-release'].sort());

    const again = sh([join(bundleDir, 'install-linux.sh'), '--root', prefix, '--system'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('installed');
    expect(again.stdout.match(/^unchanged /gm)).toHaveLength(5);
  });

  it('by default installs only for docker, containerd and podman, leaving the OS trust store alone', () => {
    const dir = join(root, 'prefix-default');
    const prefix = join(dir, 'root');
    mkdirSync(join(prefix, 'etc'), { recursive: true });
    writeFileSync(join(prefix, 'etc', 'os-release'), 'ID=debian\n');
    const log = join(dir, 'ran.log');
    const bin = fakeBin(dir, log);
    const r = sh([join(bundleDir, 'install-linux.sh'), '--root', prefix], { PATH: `${bin}:${process.env.PATH}` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const all = execFileSync('find', [prefix, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n').map((p) => p.slice(prefix.length)).sort();
    expect(all).toEqual(
      ['/etc/os-release', `/etc/docker/certs.d/${REG}/ca.crt`, `/etc/containers/certs.d/${REG}/ca.crt`, `/etc/containerd/certs.d/${REG}/ca.crt`, `/etc/containerd/certs.d/${REG}/hosts.toml`].sort(),
    );
    expect(existsSync(log)).toBe(false);
    expect(r.stdout).toContain('the OS trust store was left alone (--system adds the CA to it');
    const toml = parseHostsToml(readFileSync(join(prefix, `etc/containerd/certs.d/${REG}/hosts.toml`), 'utf8'));
    expect((toml.host as Record<string, { ca: string }>)[`https://${REG}`]!.ca).toBe(`/etc/containerd/certs.d/${REG}/ca.crt`);
  });

  it('keeps a foreign hosts.toml aside, leaves the trust store alone on an unknown distribution, and refuses bad options', () => {
    const prefix = join(root, 'prefix-other');
    const hostsDir = join(prefix, `etc/containerd/certs.d/${REG}`);
    mkdirSync(hostsDir, { recursive: true });
    writeFileSync(join(hostsDir, 'hosts.toml'), 'server = "https://mirror.example"\n');
    writeFileSync(join(prefix, 'etc/os-release'), 'ID=plan9\n');
    const r = sh([join(bundleDir, 'install-linux.sh'), `--root=${prefix}`, '--no-update', '--system']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(hostsDir, 'hosts.toml.before-berth'), 'utf8')).toBe('server = "https://mirror.example"\n');
    expect(readFileSync(join(hostsDir, 'hosts.toml'), 'utf8')).toContain(`server = "https://${REG}"`);
    expect(r.stdout).toContain('unknown distribution (ID=plan9)');
    expect(readdirSync(join(prefix, 'etc')).sort()).toEqual(['containerd', 'containers', 'docker', 'os-release']);

    const bad = sh([join(bundleDir, 'install-linux.sh'), '--prefix', prefix]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('install-linux.sh: unknown option --prefix (try --help)\n');
    const help = sh([join(bundleDir, 'install-linux.sh'), '--help']);
    expect(help.stdout).toContain('--root DIR');
    expect(help.stdout).toContain('--system');
    expect(help.stdout).not.toContain('set -eu');
  });

  it('needs root for the real root', () => {
    const copy = join(root, 'nobody');
    mkdirSync(copy);
    for (const f of ['install-linux.sh', 'ca.crt']) writeFileSync(join(copy, f), readFileSync(join(bundleDir, f)));
    chmodSync(root, 0o755);
    chmodSync(copy, 0o755);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', join(copy, 'install-linux.sh')], {
      encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('install-linux.sh: writing to /etc needs root: run it with sudo (or use --root DIR)\n');
    expect(r.status).toBe(1);
  });

  it('on the real root (a private /etc), with --system installs and runs the trust-store update', () => {
    // A mount namespace with a tmpfs over /etc and over Debian's anchor directory: the script
    // believes it is writing the machine's real files, and nothing outside the namespace changes.
    const dir = join(root, 'real-root');
    const out = join(dir, 'out');
    const anchors = join(dir, 'anchors');
    mkdirSync(out, { recursive: true });
    mkdirSync(anchors);
    const log = join(dir, 'ran.log');
    const bin = fakeBin(dir, log);
    const script = [
      'set -e',
      'mount -t tmpfs tmpfs /etc',
      'printf "ID=debian\\n" > /etc/os-release',
      `mount --bind "${anchors}" /usr/local/share/ca-certificates`,
      `sh "${join(bundleDir, 'install-linux.sh')}" --system`,
      `cp -a /etc/docker /etc/containers /etc/containerd "${out}/"`,
    ].join('\n');
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
      encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ca = readFileSync(join(bundleDir, 'ca.crt'));
    expect(readFileSync(join(out, `docker/certs.d/${REG}/ca.crt`)).equals(ca)).toBe(true);
    expect(readFileSync(join(out, `containers/certs.d/${REG}/ca.crt`)).equals(ca)).toBe(true);
    expect(readFileSync(join(anchors, 'berth-registry.example.test-5443.crt')).equals(ca)).toBe(true);
    const toml = parseHostsToml(readFileSync(join(out, `containerd/certs.d/${REG}/hosts.toml`), 'utf8'));
    expect((toml.host as Record<string, { ca: string }>)[`https://${REG}`]!.ca).toBe(`/etc/containerd/certs.d/${REG}/ca.crt`);
    expect(readFileSync(log, 'utf8')).toBe('update-ca-certificates \n');
    expect(r.stdout).toContain('ran        update-ca-certificates');
    expect(readdirSync(join(dir, 'anchors'))).toEqual(['berth-registry.example.test-5443.crt']);
  });
});

describe('install-macos.sh', () => {
  it('copies the CA for Docker only, and trusts it in the System keychain with --system', () => {
    const dir = join(root, 'mac');
    const home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
    const log = join(dir, 'ran.log');
    const bin = fakeBin(dir, log);
    const env = { PATH: `${bin}:${process.env.PATH}`, HOME: home };
    const r = sh([join(bundleDir, 'install-macos.sh')], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dest = join(home, `.docker/certs.d/${REG}/ca.crt`);
    expect(readFileSync(dest, 'utf8')).toBe(caPem);
    expect(existsSync(log)).toBe(false);
    expect(r.stdout).toContain('System keychain left alone');

    const system = sh([join(bundleDir, 'install-macos.sh'), '--system'], env);
    expect(system.code).toBe(0);
    expect(system.stdout).toContain(`unchanged  ${dest}`);
    // Run as root here, so no sudo in front.
    expect(readFileSync(log, 'utf8')).toBe(
      `security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${join(bundleDir, 'ca.crt')}\n`,
    );
    // --no-keychain, the old way to skip the keychain, still works (and is the default now).
    expect(sh([join(bundleDir, 'install-macos.sh'), '--no-keychain'], env).code).toBe(0);
    expect(readFileSync(log, 'utf8').split('\n')).toHaveLength(2);
  });
});

describe('install-windows.ps1', () => {
  it('imports into the Windows root store only with -System (or --system)', () => {
    const ps = readFileSync(join(bundleDir, 'install-windows.ps1'), 'utf8');
    const lines = ps.split('\r\n');
    expect(lines.find((l) => !l.startsWith('#') && l.trim() !== '')).toBe('param([switch]$System)');
    const guard = lines.findIndex((l) => l === "if ($System -or ($args -contains '--system')) {");
    const importAt = lines.findIndex((l) => l.includes('Import-Certificate'));
    expect(guard).toBeGreaterThan(0);
    expect(importAt).toBeGreaterThan(guard);
    expect(lines.slice(importAt, importAt + 3)).toContain('} else {');
    expect(ps).toContain("Copy-Item -Force -LiteralPath $Ca -Destination (Join-Path $DockerDir 'ca.crt')");
  });
});
