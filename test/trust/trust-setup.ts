import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Containerd } from '../clients/containerd';
import { runBerth, spawnServe, type RunningBerth } from '../helpers/berth-server';
import { runTool, type ToolOptions, type ToolResult } from '../helpers/images';

/** A `berth serve` with auth on and an HTTPS listener beside the HTTP one. */
export interface SecuredBerth {
  berth: RunningBerth;
  /** `https://127.0.0.1:PORT` of the TLS listener. */
  httpsUrl: string;
  /** `127.0.0.1:PORT` of the TLS listener, as clients name the registry. */
  host: string;
}

/**
 * Starts `berth serve --auth MODE --tls-listen 127.0.0.1:0 --access-log` on `dataDir` and waits
 * (at most 30 s) for the second line it prints: `Berth registry listening on https://...`.
 */
export async function startSecuredBerth(dataDir: string, mode: 'basic' | 'token'): Promise<SecuredBerth> {
  const berth = await spawnServe(['serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--auth', mode, '--tls-listen', '127.0.0.1:0', '--access-log']);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /Berth registry listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(berth.output());
    if (m) return { berth, httpsUrl: m[1]!, host: m[1]!.slice('https://'.length) };
    if (berth.proc.exitCode !== null || Date.now() > deadline) {
      await berth.kill();
      throw new Error(`berth serve printed no https URL within 30 s:\n${berth.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs a berth command and throws with its output unless it exits 0. */
export async function berthOk(args: string[], input?: string): Promise<string> {
  const r = await runBerth(args, { input });
  if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited with ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** What `install-linux.sh --root PREFIX` put where each client looks, for one registry host. */
export interface InstalledTrust {
  prefix: string;
  /** The CA as installed for the container tools under PREFIX. */
  caPem: Buffer;
  /** PREFIX/etc/containers/certs.d/HOST:PORT (skopeo --*-cert-dir, podman --cert-dir). */
  containersCertDir: string;
  /** PREFIX/etc/containerd/certs.d (ctr --hosts-dir). */
  containerdHostsDir: string;
  /** PREFIX/etc/docker/certs.d/HOST:PORT. */
  dockerCertDir: string;
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (entry === name) return p;
    if (statSync(p).isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * `berth cert bundle --host HOST --out FILE`, extracted with tar, then its `install-linux.sh --root
 * PREFIX` run with sh (without --system): returns where the script put the CA. Throws when a
 * client's file is missing, or when it touched the OS trust store, which needs --system.
 */
export async function installBundle(dataDir: string, host: string, workDir: string): Promise<InstalledTrust> {
  mkdirSync(workDir, { recursive: true });
  const archive = join(workDir, 'berth-bundle.tar.gz');
  await berthOk(['cert', 'bundle', '--data', dataDir, '--host', host, '--out', archive]);
  const extracted = join(workDir, 'bundle');
  mkdirSync(extracted);
  await runTool('tar', ['-xzf', archive, '-C', extracted], { timeoutMs: 30_000 });
  const script = findFile(extracted, 'install-linux.sh');
  const ca = findFile(extracted, 'ca.crt');
  if (!script || !ca) throw new Error(`bundle lacks install-linux.sh or ca.crt: ${readdirSync(extracted).join(', ')}`);
  const prefix = join(workDir, 'prefix');
  // The script picks the OS trust store from PREFIX/etc/os-release: this machine's (Debian).
  mkdirSync(join(prefix, 'etc'), { recursive: true });
  copyFileSync('/etc/os-release', join(prefix, 'etc/os-release'));
  await runTool('sh', [script, '--root', prefix], { timeoutMs: 60_000 });
  const anchors = join(prefix, 'usr/local/share/ca-certificates');
  if (existsSync(anchors)) throw new Error(`install-linux.sh --root without --system wrote into the OS trust store: ${anchors}`);
  const caPem = readFileSync(join(prefix, 'etc/containers/certs.d', host, 'ca.crt'));
  if (!caPem.equals(readFileSync(ca))) throw new Error('the CA installed for podman differs from the bundle\'s ca.crt');
  const trust: InstalledTrust = {
    prefix,
    caPem,
    containersCertDir: join(prefix, 'etc/containers/certs.d', host),
    containerdHostsDir: join(prefix, 'etc/containerd/certs.d'),
    dockerCertDir: join(prefix, 'etc/docker/certs.d', host),
  };
  for (const f of [join(trust.containersCertDir, 'ca.crt'), join(trust.dockerCertDir, 'ca.crt'), join(trust.containerdHostsDir, host, 'hosts.toml')]) {
    if (!existsSync(f)) throw new Error(`install-linux.sh --root did not write ${f}`);
  }
  for (const f of ['/etc/containers/certs.d', '/etc/containerd/certs.d', '/etc/docker/certs.d'].map((d) => join(d, host))) {
    if (existsSync(f)) throw new Error(`install-linux.sh --root wrote outside the prefix: ${f}`);
  }
  return trust;
}

/** A finished HTTPS exchange. */
export interface HttpsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request trusting only `ca` (no agent, bounded to 15 s). */
export function httpsCall(url: string, ca: Buffer, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: opts.method ?? 'GET', ca, agent: false, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${opts.method ?? 'GET'} ${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** `Authorization: Basic` for user:password. */
export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The `realm` and `service` of a `WWW-Authenticate: Bearer ...` challenge. */
export function bearerChallenge(header: string | string[] | undefined): Record<string, string> {
  const value = [header ?? ''].flat().join(', ');
  if (!/^Bearer /i.test(value)) throw new Error(`not a Bearer challenge: ${value}`);
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

/** Where containerd looks for hosts.toml files on a machine, and where install-linux.sh puts them. */
export const CONTAINERD_CERTS_D = '/etc/containerd/certs.d';

/**
 * Runs `ctr images pull|push --hosts-dir /etc/containerd/certs.d ARGS` as on the machine
 * install-linux.sh --root prepared: in a private mount namespace where PREFIX/etc/containerd/certs.d
 * is bind-mounted on /etc/containerd/certs.d, so the paths the script wrote into hosts.toml (the
 * target system's, never the prefix) resolve. A tmpfs over /etc/containerd (or /etc, where that
 * does not exist) gives the mount point; nothing outside the namespace changes.
 */
export function ctrOnTarget(
  containerd: Containerd,
  trust: Pick<InstalledTrust, 'containerdHostsDir'>,
  action: 'pull' | 'push',
  args: string[],
  opts: ToolOptions & { namespace?: string } = {},
): Promise<ToolResult> {
  const script = [
    'set -e',
    'if [ -d /etc/containerd ]; then mount -t tmpfs tmpfs /etc/containerd; else mount -t tmpfs tmpfs /etc; fi',
    `mkdir -p ${CONTAINERD_CERTS_D}`,
    `mount --bind "$0" ${CONTAINERD_CERTS_D}`,
    'exec "$@"',
  ].join('\n');
  const ctr = ['ctr', '--address', containerd.socket, '--namespace', opts.namespace ?? 'default', 'images', action, '--hosts-dir', CONTAINERD_CERTS_D, ...args];
  return runTool('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, trust.containerdHostsDir, ...ctr], { timeoutMs: 120_000, ...opts });
}
