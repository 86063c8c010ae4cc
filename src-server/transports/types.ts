/**
 * Files as registries (issue 20): an OCI image layout folder, an OCI archive and a docker archive,
 * read and written through the same RegistrySource interface the copy is written against, so that
 * copyImage moves images between any two places.
 *
 * A file holds one namespace: the `repository` argument of RegistrySource's methods does not
 * choose where a blob lives (every blob is in the one `blobs/` folder). Images are named by the
 * file's index (index.json's `org.opencontainers.image.ref.name` and containerd's
 * `io.containerd.image.name`; a docker archive's manifest.json `RepoTags`).
 *
 * Errors: a file that cannot be read as its transport throws RegistryError('ARCHIVE_INVALID') in
 * words that name the file and what is wrong; a missing image or blob resolves null (as for every
 * RegistrySource); a blob whose bytes do not match its digest fails the read with DIGEST_INVALID.
 */
import type { RegistrySource } from '../browse/source';

/** The file transports. */
export type FileTransport = 'oci' | 'oci-archive' | 'docker-archive';

/** An image a file names in its index. */
export interface FileImage {
  /**
   * The repository the file gives it (containerd's `io.containerd.image.name`, a `repo:tag`
   * ref.name, or a docker archive's RepoTags entry), a leading registry host taken off
   * (`docker.io/library/alpine` → `library/alpine`); null when the file names only a tag, or nothing.
   */
  repository: string | null;
  /** Its tag; null for an unnamed image. */
  tag: string | null;
  /** How the file names it, for messages and `resolve`: `repo:tag`, a bare ref.name, or `#N` (1-based) when unnamed. */
  name: string;
  /** The top manifest's digest, media type and size. */
  digest: string;
  mediaType: string;
  size: number;
}

/** A file opened for reading, as a read-only registry (writes throw UNSUPPORTED). */
export interface FileSource extends RegistrySource {
  readonly transport: FileTransport;
  /** The file's real path. */
  readonly path: string;
  /** The images its index names, in its order; referrers listed in index.json (with a `subject`) are not among them. */
  readonly images: FileImage[];
  /**
   * The digest `reference` names: a digest; a name exactly as `images[].name` has it; `repo:tag`; or a
   * bare tag when one image has it. Without a reference: the file's only image. Throws
   * ARCHIVE_INVALID listing the names when it names none, or several.
   */
  resolve(reference?: string): string;
}

/** How a sink names an image tagged through putManifest(repository, tag). */
export type SinkNaming =
  /** ref.name is the tag alone (skopeo's `oci:DIR:TAG`); containerd's annotation is `repository:tag`. */
  | 'tag'
  /** ref.name and containerd's annotation are `repository:tag` (what `berth export` writes, unique across repositories). */
  | 'repository-tag';

/**
 * A file being written, through RegistrySource's write half: headBlob, putBlob, headManifest,
 * getManifest (of what was written), putManifest. Reads of anything else resolve null.
 *
 * putBlob streams into the file and checks the digest and size as the bytes pass (DIGEST_INVALID /
 * SIZE_INVALID otherwise, and then the sink cannot commit). Blobs may be put concurrently: an archive
 * writes them one after another (the others wait their turn). putManifest by digest stores the
 * manifest as a blob (index.json lists it only when it has a `subject`, so that readers find
 * referrers); by tag it also names it in the index. A docker archive takes image manifests only
 * (an index is IMAGE_PLACE_INVALID: one platform per image) and keeps referrers out (counted in
 * `leftOut`).
 *
 * Nothing appears at the destination path until commit: the file is written beside it (same folder,
 * a hidden temporary name) and renamed into place when whole; an OCI layout folder gets its blobs
 * as they come (they are content-addressed) and its index.json replaced atomically at commit, with
 * the entries it had kept (a tag written again points at the new image).
 */
export interface FileSink extends RegistrySource {
  readonly transport: FileTransport;
  /** Referrers the format could not hold. */
  readonly leftOut: number;
  /** Writes the index (index.json, oci-layout; manifest.json and repositories for docker) and puts the file in place. */
  commit(): Promise<{ path: string; bytes: number }>;
  /** Drops the temporary file (an OCI layout keeps the blobs it got and its old index.json). Safe after commit (does nothing). */
  abort(): Promise<void>;
}

/** Options of a sink. */
export interface SinkOptions {
  naming: SinkNaming;
}
