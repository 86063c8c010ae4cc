/**
 * Writing a docker archive (`docker-archive:FILE`): what `docker load` and `podman load` read. It
 * is docker 25's `docker save` layout, an OCI layout and the legacy files at once: `blobs/sha256/`
 * for every blob and manifest, `index.json`, `oci-layout`, plus `manifest.json`
 * (`[{Config, RepoTags, Layers, LayerSources?}]`, paths into blobs/) and `repositories`
 * (`{repo: {tag: top layer}}`). One platform per image: an index is refused; referrers cannot be
 * held and are counted in `leftOut`.
 * https://github.com/moby/moby/blob/master/image/spec/v1.2.md (the legacy files)
 */
import { RegistryError } from '../core/errors';
import type { Descriptor } from '../core/manifest';
import type { SourceReferrer } from '../browse/source';
import { ArchiveSink, type PartialTar } from './oci-archive-sink';
import { blobPath, indexEntries, indexJson, OCI_LAYOUT_JSON, referrerOf, type RecordedManifest } from './sink-index';
import type { SinkOptions } from './types';

/** Largest image config read back for the diff_ids of foreign layers. */
const MAX_CONFIG_BYTES = 4 << 20;

/** One entry of manifest.json. */
interface LegacyImage {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  LayerSources?: Record<string, Descriptor>;
}

/** `docker-archive:FILE`. */
export class DockerArchiveSink extends ArchiveSink {
  /** Referrers given and left out, by digest (the copy asks for them back: see referrers()). */
  private readonly leftOutReferrers = new Map<string, RecordedManifest>();

  constructor(file: PartialTar, opts: SinkOptions) {
    super('docker-archive', file, opts);
  }

  protected override accept(m: RecordedManifest): 'store' | 'leave-out' {
    // A referrer first: one that is an index (a list of signatures) is left out too, not refused.
    if (m.info.subject) {
      if (!this.leftOutReferrers.has(m.digest)) {
        this.leftOutReferrers.set(m.digest, m);
        this.leftOut++;
      }
      return 'leave-out';
    }
    if (m.info.kind === 'index') {
      throw new RegistryError('IMAGE_PLACE_INVALID', {
        message: `${this.name}: a docker archive holds one platform per image: choose a platform (${m.digest} is an index)`,
        detail: { path: this.path, digest: m.digest, mediaType: m.mediaType },
      });
    }
    return 'store';
  }

  /**
   * The referrers given, though left out: a copy asks which referrers the target lists, and would
   * otherwise write the referrers tag schema's index in their place, which an archive cannot hold.
   */
  override async referrers(_repository: string, digest: string): Promise<SourceReferrer[] | null> {
    return [...this.leftOutReferrers.values()].filter((m) => m.info.subject?.digest === digest).map(referrerOf);
  }

  protected async indexFiles(): Promise<Array<[string, string]>> {
    const images: LegacyImage[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const m of this.record.manifests.values()) {
      const names = this.record.names.filter((n) => n.digest === m.digest);
      const layers = rawLayers(m);
      const image: LegacyImage = {
        Config: blobPath(m.info.config!.digest),
        RepoTags: names.length ? names.map((n) => `${n.repository}:${n.tag}`) : null,
        Layers: layers.map((l) => blobPath(l.digest)),
      };
      const absent = layers.map((l, i) => [l, i] as const).filter(([l]) => !this.record.blobs.has(l.digest));
      if (absent.length) {
        const diffIds = await this.diffIds(image.Config);
        image.LayerSources = {};
        for (const [l, i] of absent) {
          const diffId = diffIds[i];
          if (diffId) image.LayerSources[diffId] = l;
        }
      }
      images.push(image);
      const top = layers[layers.length - 1];
      if (top) for (const n of names) (repositories[n.repository] ??= {})[n.tag] = top.digest.split(':')[1]!;
    }
    return [
      ['index.json', indexJson(indexEntries(this.record, this.opts.naming, false))],
      ['manifest.json', JSON.stringify(images)],
      ['oci-layout', OCI_LAYOUT_JSON],
      ['repositories', JSON.stringify(repositories)],
    ];
  }

  /** An image config's rootfs.diff_ids, read back from the archive; empty when it cannot be read. */
  private async diffIds(configPath: string): Promise<string[]> {
    const body = await this.tar.read(configPath, MAX_CONFIG_BYTES);
    try {
      const ids = (JSON.parse(body?.toString('utf8') ?? 'null') as { rootfs?: { diff_ids?: unknown } } | null)?.rootfs?.diff_ids;
      return Array.isArray(ids) ? ids.filter((d): d is string => typeof d === 'string') : [];
    } catch {
      return [];
    }
  }
}

/** Every layer a manifest lists, foreign ones included (the parsed form leaves those out). */
function rawLayers(m: RecordedManifest): Descriptor[] {
  const layers = (JSON.parse(m.body.toString('utf8')) as { layers: Descriptor[] }).layers;
  return layers;
}
