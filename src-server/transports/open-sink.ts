/**
 * Opening a file for writing images into, by transport: the one entry point the copy, export and
 * sync use (see FileSink in types.ts for what a sink promises).
 */
import { isAbsolute, resolve } from 'node:path';
import { RegistryError } from '../core/errors';
import { DockerArchiveSink } from './docker-archive-sink';
import { OciArchiveSink, startPartialTar } from './oci-archive-sink';
import { OciLayoutSink } from './oci-layout-sink';
import type { FileSink, FileTransport, SinkOptions } from './types';

/**
 * Opens `path` as a `transport` destination. An archive is started as a hidden file beside `path`
 * (nothing appears at `path` until commit); an OCI layout folder is created when missing, or must
 * be an OCI layout. Throws IMAGE_PLACE_INVALID naming the path when it cannot be written there.
 */
export async function createFileSink(transport: FileTransport, path: string, opts: SinkOptions): Promise<FileSink> {
  if (!path || path.includes('\0')) throw new RegistryError('IMAGE_PLACE_INVALID', { message: `${JSON.stringify(path)} is not a path`, detail: { path } });
  const full = isAbsolute(path) ? resolve(path) : resolve(process.cwd(), path);
  switch (transport) {
    case 'oci':
      return OciLayoutSink.open(full, opts);
    case 'oci-archive':
      return new OciArchiveSink(await startPartialTar(full), opts);
    case 'docker-archive':
      return new DockerArchiveSink(await startPartialTar(full), opts);
    default:
      throw new RegistryError('IMAGE_PLACE_INVALID', { message: `unknown file transport ${JSON.stringify(transport)}`, detail: { transport } });
  }
}
