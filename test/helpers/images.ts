import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sha256 } from './oci-content';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** What a finished client command printed. */
export interface ToolResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Options for {@link runTool}. */
export interface ToolOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the command (SIGKILL) after this long; default 120 s. */
  timeoutMs?: number;
  /** Exit codes other than 0 resolve instead of throwing. */
  allowFailure?: boolean;
}

/** A command that failed, with everything it printed. */
export class ToolError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command} exited with ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
}

/**
 * Runs a command to completion with a hard time limit and returns its output;
 * throws a {@link ToolError} carrying the full output when it fails.
 */
export function runTool(cmd: string, args: string[], opts: ToolOptions = {}): Promise<ToolResult> {
  const command = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${opts.timeoutMs ?? 120_000} ms]`;
      p.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 && !opts.allowFailure) reject(new ToolError(command, code, stdout, stderr));
      else resolve({ stdout, stderr, code });
    });
  });
}

/**
 * A private world for containers tools (podman, buildah, skopeo) under one temp dir:
 * own storage, config, auth file, temp dir and blob-info cache, so nothing touches
 * /var/lib/containers or /var/tmp and parallel test files do not see each other.
 */
export interface ContainersSandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** `--root R --runroot RR --storage-driver vfs` for podman/buildah on the sandbox's store. */
  storageArgs: string[];
  /** The same flags for a second, empty store (pulls that must really download). */
  pullStoreArgs: string[];
  /** Runs a containers tool inside a private mount namespace with the sandbox's blob-info cache. */
  run(cmd: string, args: string[], opts?: Omit<ToolOptions, 'env'>): Promise<ToolResult>;
  /** `skopeo` with `--tmpdir` in the sandbox. */
  skopeo(args: string[], opts?: Omit<ToolOptions, 'env'>): Promise<ToolResult>;
  buildah(args: string[], opts?: Omit<ToolOptions, 'env'>): Promise<ToolResult>;
  podman(args: string[], opts?: Omit<ToolOptions, 'env'>, store?: 'build' | 'pull'): Promise<ToolResult>;
  /** Removes what the sandbox keeps outside `dir` (the short run roots). */
  cleanup(): void;
}

const BLOB_INFO_CACHE = '/var/lib/containers/cache';
/** netavark's run dir: podman and buildah create it whatever containers.conf says. */
const NETWORK_RUN_DIR = '/run/containers';

/** Creates the config files of a {@link ContainersSandbox} under `dir`. */
export function containersSandbox(dir: string): ContainersSandbox {
  const d = (...p: string[]) => {
    const path = join(dir, ...p);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const tmp = d('tmp');
  const cache = d('blob-info-cache');
  const networkRun = d('network-run');
  const conf = join(dir, 'containers.conf');
  writeFileSync(
    conf,
    [
      '[engine]',
      `image_copy_tmp_dir = "${tmp}"`,
      `tmp_dir = "${d('podman-tmp')}"`,
      'events_logger = "none"',
      'cgroup_manager = "cgroupfs"',
      `volume_path = "${d('volumes')}"`,
      '[network]',
      `network_config_dir = "${d('networks')}"`,
      '',
    ].join('\n'),
  );
  const registries = join(dir, 'registries.conf');
  writeFileSync(registries, 'unqualified-search-registries = []\n');
  const auth = join(dir, 'auth.json');
  // buildah refuses to start when REGISTRY_AUTH_FILE names a missing file.
  writeFileSync(auth, '{}');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTAINERS_CONF: conf,
    CONTAINERS_REGISTRIES_CONF: registries,
    REGISTRY_AUTH_FILE: auth,
    TMPDIR: tmp,
    BUILDAH_ISOLATION: 'chroot',
  };
  // podman refuses a runroot longer than 50 characters, so run roots live in a short dir of their own.
  const runRoots = mkdtempSync(join(tmpdir().length < 20 ? tmpdir() : '/tmp', 'brun-'));
  const store = (name: string) => {
    const runroot = join(runRoots, name);
    mkdirSync(runroot);
    return ['--root', d(name, 'root'), '--runroot', runroot, '--storage-driver', 'vfs'];
  };
  const storageArgs = store('store');
  const pullStoreArgs = store('pull-store');
  const run: ContainersSandbox['run'] = (cmd, args, opts = {}) =>
    // A private mount namespace lets us put the sandbox's own dirs over the machine's blob-info cache
    // (skopeo/podman/buildah always use that path as root, and a shared cache leaks knowledge of blobs
    // and reuse attempts between tests and registries) and over netavark's run dir. At most the empty
    // mount points are left behind on a machine that never ran podman.
    runTool(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        `mkdir -p ${BLOB_INFO_CACHE} ${NETWORK_RUN_DIR} && mount --bind "$0" ${BLOB_INFO_CACHE} && mount --bind "$1" ${NETWORK_RUN_DIR} && shift && exec "$@"`,
        cache,
        networkRun,
        cmd,
        ...args,
      ],
      { ...opts, env },
    );
  return {
    dir,
    env,
    storageArgs,
    pullStoreArgs,
    run,
    skopeo: (args, opts) => run('skopeo', ['--tmpdir', tmp, ...args], opts),
    buildah: (args, opts) => run('buildah', [...storageArgs, ...args], opts),
    podman: (args, opts, which = 'build') => run('podman', [...(which === 'pull' ? pullStoreArgs : storageArgs), ...args], opts),
    cleanup: () => rmSync(runRoots, { recursive: true, force: true }),
  };
}

/** sha256 digest of bytes, `sha256:<hex>`. */
export const digestOf = sha256;

/** A descriptor as it appears in manifests and indexes. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

/** An OCI image layout on disk, read back for comparisons. */
export interface OciLayout {
  dir: string;
  /** The index.json entry of a tag (`org.opencontainers.image.ref.name`). */
  descriptor(tag: string): Descriptor;
  /** A blob's bytes by digest. */
  blob(digest: string): Buffer;
  /** A blob parsed as JSON. */
  json<T = any>(digest: string): T;
  /** Every blob digest reachable from a tag (manifests, configs, layers; children of an index too). */
  reachable(tag: string): string[];
}

/** Opens an OCI image layout directory. */
export function openOciLayout(dir: string): OciLayout {
  const blob = (digest: string) => {
    const [alg, hex] = digest.split(':');
    return readFileSync(join(dir, 'blobs', alg!, hex!));
  };
  const json = (digest: string) => JSON.parse(blob(digest).toString('utf8'));
  const descriptor = (tag: string): Descriptor => {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    const found = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
    if (!found) throw new Error(`tag ${tag} not in ${dir}/index.json`);
    return found;
  };
  const walk = (digest: string, out: Set<string>) => {
    out.add(digest);
    const m = json(digest);
    if (Array.isArray(m.manifests)) for (const c of m.manifests) walk(c.digest, out);
    if (m.config) out.add(m.config.digest);
    for (const l of m.layers ?? []) out.add(l.digest);
  };
  return {
    dir,
    descriptor,
    blob,
    json,
    reachable(tag) {
      const out = new Set<string>();
      walk(descriptor(tag).digest, out);
      return [...out];
    },
  };
}

/** The images every client test starts from, built offline. */
export interface TestImages {
  sandbox: ContainersSandbox;
  /** Names in the sandbox's buildah/podman store. */
  local: { amd64: string; arm64: string; list: string };
  /** OCI layout holding tags `amd64`, `arm64` and `multi` (an index of both). */
  layout: OciLayout;
  /** Size in bytes of the random file in each image. */
  randomFileSize: number;
  /** Where the files copied into the images are: `random-<arch>.bin`, `hello-<arch>.txt` (in `/data/`). */
  contextDir: string;
}

/**
 * Builds two single-platform images from scratch with buildah (a few files, one of several MiB of
 * random data, entrypoint/env/label/arch/os set) and a linux/amd64 + linux/arm64 manifest list of them,
 * then writes all three into an OCI layout. Takes about a second; build once per test file, and call
 * `images.sandbox.cleanup()` along with removing `dir`.
 */
export async function buildTestImages(dir: string, opts: { randomFileSize?: number } = {}): Promise<TestImages> {
  const sandbox = containersSandbox(join(dir, 'containers'));
  const randomFileSize = opts.randomFileSize ?? 4 * 1024 * 1024 + 123;
  const ctx = join(dir, 'context');
  mkdirSync(ctx, { recursive: true });
  const repo = `localhost/berth-test-${randomBytes(4).toString('hex')}`;
  const local = { amd64: `${repo}:amd64`, arm64: `${repo}:arm64`, list: `${repo}-list:multi` };
  for (const arch of ['amd64', 'arm64'] as const) {
    // Different random bytes per platform, so the two images share no layer.
    writeFileSync(join(ctx, `random-${arch}.bin`), randomBytes(randomFileSize));
    writeFileSync(join(ctx, `hello-${arch}.txt`), `hello from ${arch}\n`);
    const ctr = (await sandbox.buildah(['from', '--quiet', 'scratch'])).stdout.trim();
    await sandbox.buildah(['copy', '--quiet', ctr, join(ctx, `random-${arch}.bin`), join(ctx, `hello-${arch}.txt`), '/data/']);
    await sandbox.buildah([
      'config',
      '--entrypoint',
      JSON.stringify([`/data/hello-${arch}.txt`]),
      '--env',
      `BERTH_ARCH=${arch}`,
      '--label',
      'org.example.berth-test=yes',
      '--arch',
      arch,
      '--os',
      'linux',
      ctr,
    ]);
    await sandbox.buildah(['commit', '--quiet', '--rm', ctr, local[arch]]);
  }
  await sandbox.buildah(['manifest', 'create', local.list]);
  for (const arch of ['amd64', 'arm64'] as const) {
    await sandbox.buildah(['manifest', 'add', '--arch', arch, '--os', 'linux', local.list, `containers-storage:${local[arch]}`]);
  }
  const layoutDir = join(dir, 'oci-layout');
  await sandbox.buildah(['push', '--quiet', local.amd64, `oci:${layoutDir}:amd64`]);
  await sandbox.buildah(['push', '--quiet', local.arm64, `oci:${layoutDir}:arm64`]);
  await sandbox.buildah(['manifest', 'push', '--quiet', '--all', local.list, `oci:${layoutDir}:multi`]);
  return { sandbox, local, layout: openOciLayout(layoutDir), randomFileSize, contextDir: ctx };
}

/** A manifest or blob as a registry serves it. */
export interface Fetched {
  status: number;
  contentType: string | null;
  digest: string | null;
  body: Buffer;
}

/** Every manifest media type a client may ask for. */
export const ALL_MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** GETs a manifest (by tag or digest) from a registry, accepting every media type. */
export async function getManifest(base: string, repo: string, ref: string): Promise<Fetched> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ALL_MANIFEST_TYPES } });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    digest: res.headers.get('docker-content-digest'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

/** A file to put in a hand-written layer. */
export interface LayerFile {
  path: string;
  data: Buffer;
  mode?: number;
}

/** A ustar archive of regular files (no directories needed by registries or skopeo). */
export function tarFiles(files: LayerFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const h = Buffer.alloc(512);
    const put = (s: string, off: number, len: number) => h.write(s, off, len, 'utf8');
    const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, '0');
    if (Buffer.byteLength(f.path) > 100) throw new Error(`path too long for this tar writer: ${f.path}`);
    put(f.path, 0, 100);
    put(octal(f.mode ?? 0o644, 8), 100, 8);
    put(octal(0, 8), 108, 8);
    put(octal(0, 8), 116, 8);
    put(octal(f.data.length, 12), 124, 12);
    put(octal(0, 12), 136, 12);
    put('        ', 148, 8);
    put('0', 156, 1);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${octal(sum, 7)}\0 `, 148, 8);
    parts.push(h, f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** What {@link writeOciLayout} wrote for one platform. */
export interface WrittenImage {
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
  /** sha256 of each uncompressed layer, as in the config's rootfs. */
  diffIds: string[];
}

/**
 * Writes an OCI image layout holding one tag by hand (no tools): one image per platform, each with
 * gzip layers of the given files (default: a small text file, then 1 MiB of random data); for more
 * than one platform the tag names an index of them. The fastest source for skopeo tests.
 */
export function writeOciLayout(
  dir: string,
  opts: { tag?: string; platforms?: Array<{ os: string; architecture: string }>; layers?: LayerFile[][] } = {},
): { layout: OciLayout; top: Descriptor; images: WrittenImage[] } {
  const tag = opts.tag ?? 'latest';
  const platforms = opts.platforms ?? [{ os: 'linux', architecture: 'amd64' }];
  const blobsDir = join(dir, 'blobs', 'sha256');
  mkdirSync(blobsDir, { recursive: true });
  const put = (mediaType: string, data: Buffer, extra: Partial<Descriptor> = {}): Descriptor => {
    const digest = digestOf(data);
    writeFileSync(join(blobsDir, digest.slice('sha256:'.length)), data);
    return { mediaType, digest, size: data.length, ...extra };
  };
  const images = platforms.map((platform): WrittenImage => {
    const layerFiles = opts.layers ?? [
      [{ path: 'etc/berth-test', data: Buffer.from(`${platform.os}/${platform.architecture}\n`) }],
      [{ path: 'data/random.bin', data: randomBytes(1024 * 1024) }],
    ];
    const diffIds: string[] = [];
    const layers = layerFiles.map((files) => {
      const tar = tarFiles(files);
      diffIds.push(digestOf(tar));
      return put('application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(tar));
    });
    const config = put(
      'application/vnd.oci.image.config.v1+json',
      Buffer.from(JSON.stringify({ ...platform, config: { Env: [`BERTH_PLATFORM=${platform.architecture}`] }, rootfs: { type: 'layers', diff_ids: diffIds } })),
    );
    const manifest = put(
      'application/vnd.oci.image.manifest.v1+json',
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers })),
      { platform },
    );
    return { manifest, config, layers, diffIds };
  });
  const ref = { 'org.opencontainers.image.ref.name': tag };
  let top: Descriptor;
  if (images.length === 1) {
    const { platform: _p, ...m } = images[0]!.manifest;
    top = { ...m, annotations: ref };
  } else {
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: images.map((i) => i.manifest) }),
    );
    top = put('application/vnd.oci.image.index.v1+json', index, { annotations: ref });
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [top] }));
  return { layout: openOciLayout(dir), top, images };
}
