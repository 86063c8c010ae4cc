/** One repository of a registry source (the local registry or a remote connection) as an ImageReader. */
import type { RegistrySource } from '../browse/source';
import type { ImageReader } from './types';

/** Reads `repository` of `source`; `label` names it in messages (default `<pullHost>/<repository>`). */
export function repositoryReader(source: RegistrySource, repository: string, label = `${source.pullHost}/${repository}`): ImageReader {
  return {
    label,
    manifest: (reference) => source.getManifest(repository, reference),
    blob: (digest, signal) => source.getBlob(repository, digest, signal),
  };
}
