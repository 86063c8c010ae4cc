/**
 * A hand-made image whose merged filesystem is known, for the contents tests of the GUI and the
 * bridge: `v1` is one layer; `v2` adds a second that overwrites `etc/motd`, deletes `tmp/cache`
 * (a whiteout) and adds `opt/new.txt`. Pushed over HTTP with the given auth headers.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tarFiles, type LayerFile } from './images';
import { pushBlob, pushManifest, sha256 } from './push';

/** The bytes of each file, as written. */
export const CONTENTS_FILES = {
  motdV1: Buffer.from('hello from layer 0\n'),
  motdV2: Buffer.from('hello from layer 1\n'),
  osRelease: Buffer.from('NAME="Berth test"\nID=berth\n'),
  // Bytes with NULs: not text.
  tool: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1]), randomBytes(3000)]),
  cache: randomBytes(20_000),
  readme: Buffer.from('# docs\n'),
  added: Buffer.from('new in v2\n'),
};

const BASE: LayerFile[] = [
  { path: 'bin/tool', data: CONTENTS_FILES.tool, mode: 0o755 },
  { path: 'etc/motd', data: CONTENTS_FILES.motdV1 },
  { path: 'etc/os-release', data: CONTENTS_FILES.osRelease },
  { path: 'tmp/cache/big.bin', data: CONTENTS_FILES.cache },
  { path: 'usr/share/doc/readme.txt', data: CONTENTS_FILES.readme },
];
const TOP: LayerFile[] = [
  { path: 'etc/motd', data: CONTENTS_FILES.motdV2 },
  { path: 'tmp/.wh.cache', data: Buffer.alloc(0) },
  { path: 'opt/new.txt', data: CONTENTS_FILES.added },
];

/** Pushes `repo:v1` and `repo:v2`, and `repo:multi`, an index of the two as linux/amd64 and linux/arm64; returns the digests. */
export async function pushContentsImages(base: string, repo: string, headers: Record<string, string>): Promise<{ v1: string; v2: string; multi: string }> {
  const layer = async (files: LayerFile[]) => {
    const tar = tarFiles(files);
    const gz = gzipSync(tar);
    const digest = await pushBlob(base, repo, gz, headers);
    return { desc: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: gz.length }, diffId: sha256(tar) };
  };
  const base0 = await layer(BASE);
  const top1 = await layer(TOP);
  const image = async (tag: string, layers: Array<typeof base0>, env: string[], history: string[]) => {
    const config = Buffer.from(
      JSON.stringify({
        os: 'linux',
        architecture: 'amd64',
        config: { Env: env, Cmd: ['/bin/tool'], WorkingDir: '/' },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: history.map((created_by) => ({ created_by })),
      }),
    );
    const configDigest = await pushBlob(base, repo, config, headers);
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layers.map((l) => l.desc),
    };
    return pushManifest(base, repo, tag, manifest, manifest.mediaType, headers);
  };
  const v1 = await image('v1', [base0], ['VERSION=1'], ['COPY rootfs /']);
  const v2 = await image('v2', [base0, top1], ['VERSION=2'], ['COPY rootfs /', 'RUN echo v2 > /etc/motd && rm -rf /tmp/cache']);
  const size = async (digest: string) => Number((await fetch(`${base}/v2/${repo}/manifests/${digest}`, { method: 'HEAD', headers })).headers.get('content-length'));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: v1, size: await size(v1), platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: v2, size: await size(v2), platform: { os: 'linux', architecture: 'arm64' } },
    ],
  };
  const multi = await pushManifest(base, repo, 'multi', index, index.mediaType, headers);
  return { v1, v2, multi };
}
