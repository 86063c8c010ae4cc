/**
 * Opens a file as a registry to read from, by its transport: an OCI layout folder, an OCI archive
 * or a docker archive.
 */
import { openDockerArchiveSource } from './docker-archive-source';
import { openOciArchiveSource } from './oci-archive-source';
import { openOciLayoutSource } from './oci-layout-source';
import type { FileSource, FileTransport } from './types';

/**
 * Opens `path` as `transport` for reading. Throws RegistryError('ARCHIVE_INVALID') in words when
 * the file cannot be read as that transport. Close the source when done (it keeps the file open).
 */
export function openFileSource(transport: FileTransport, path: string): Promise<FileSource> {
  switch (transport) {
    case 'oci':
      return openOciLayoutSource(path);
    case 'oci-archive':
      return openOciArchiveSource(path);
    case 'docker-archive':
      return openDockerArchiveSource(path);
  }
}
