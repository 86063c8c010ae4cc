/**
 * A referrer opened in the image screen's viewer: its manifest and the content of its blobs as text
 * (never markup), bounded in size, with summaries of the formats users meet most (SPDX, CycloneDX,
 * cosign signature payloads, in-toto attestations). Everything in it came from the registry and is
 * untrusted: the GUI shows it as text.
 */

/** `browse:referrer`: a referrer by digest, in the repository of its subject. */
export interface ReferrerArgs {
  connection: string;
  repository: string;
  digest: string;
}

/** What a known format says about itself. Strings are cut at a few hundred characters, lists at 50 entries. */
export type ReferrerFormatSummary =
  | {
      format: 'spdx';
      spdxVersion: string | null;
      name: string | null;
      /** Entries of `packages`. */
      packages: number;
      /** `creationInfo.creators` (`Tool: syft-1.0`, `Organization: ...`). */
      creators: string[];
      created: string | null;
    }
  | {
      format: 'cyclonedx';
      bomFormat: string;
      specVersion: string | null;
      /** Entries of `components`. */
      components: number;
      serialNumber: string | null;
      /** `metadata.component.name`: what the BOM describes. */
      describes: string | null;
    }
  | {
      format: 'cosign-signature';
      /** `critical.type` (`cosign container image signature`). */
      type: string | null;
      /** `critical.identity.docker-reference`: the image name signed. */
      dockerReference: string | null;
      /** `critical.image.docker-manifest-digest`: the digest signed. */
      manifestDigest: string | null;
      /** `optional` claims, as text. */
      optional: Record<string, string>;
      /** Whether the layer carries a signature annotation (`dev.cosignproject.cosign/signature`). */
      signed: boolean;
    }
  | {
      format: 'in-toto';
      /** The statement's `_type`. */
      statementType: string | null;
      predicateType: string | null;
      /** The first subjects with their digests. */
      subjects: Array<{ name: string; digest: Record<string, string> }>;
      /** How many subjects the statement lists. */
      subjectCount: number;
      /** True when the statement came inside a DSSE envelope (`payloadType`, `payload`, `signatures`). */
      envelope: boolean;
      /** Signatures in the envelope. */
      signatures: number;
    };

/** One blob (layer) of a referrer. */
export interface ReferrerBlob {
  digest: string;
  mediaType: string;
  size: number;
  /** The descriptor's annotations (a cosign signature's is here). */
  annotations: Record<string, string>;
  /** The content: JSON pretty-printed, or the text as it is; null when not shown (see `notShown`). */
  text: string | null;
  /** True when `text` is pretty-printed JSON. */
  json: boolean;
  /**
   * Why there is no text: `too-large` (over `limit`), `binary` (not UTF-8 text), `missing` (the
   * registry does not have it), `invalid` (the bytes do not hash to the digest), `not-read` (past
   * the number of blobs read per referrer).
   */
  notShown: 'too-large' | 'binary' | 'missing' | 'invalid' | 'not-read' | null;
  /** What a known format says, when the content is one. */
  summary: ReferrerFormatSummary | null;
}

/** `browse:referrer`'s answer. */
export interface ReferrerContent {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  /** Manifest bytes. */
  size: number;
  /** The digest of the manifest it refers to. */
  subject: string | null;
  annotations: Record<string, string>;
  /** The manifest, pretty-printed JSON; null when it is over `limit`. */
  manifest: string | null;
  /** Its config (when not the empty one) and layers, in order. */
  blobs: ReferrerBlob[];
  /** Largest content shown, in bytes. */
  limit: number;
}
