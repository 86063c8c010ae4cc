/**
 * The renderer's one door to the core: a typed `invoke` and `on` over whichever bridge it is given
 * (Electron's preload or the HTTP bridge of `berth serve --ui`). Components never see a transport;
 * they use react-query hooks built on this (features/<area>/queries.ts).
 */
import type { ApiError, ArchiveImportReport, BerthBridge, Code, ContentsPathArgs, EventChannel, EventChannelMap, InvokeArgs, InvokeChannel, InvokeResult } from '../../../src-server/contract';

/** A call the core answered with an error: its code, words for people, and safe detail. */
export class ApiCallError extends Error {
  readonly code: Code;
  readonly detail: unknown;
  constructor(
    readonly channel: string,
    error: ApiError,
  ) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.detail = error.detail;
  }
}

/** Arguments of `invoke`: none for a channel that takes none. */
export type InvokeParams<C extends InvokeChannel> = InvokeArgs<C> extends void ? [] : [args: InvokeArgs<C>];

/** What the GUI calls. */
export interface AppApi {
  /** Calls a channel; resolves its result or rejects with an ApiCallError. */
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeParams<C>): Promise<InvokeResult<C>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventChannel>(event: E, listener: (payload: EventChannelMap[E]) => void): () => void;
  /** `ipc` in Electron, `http` in a browser against `berth serve --ui`. */
  readonly transport: 'ipc' | 'http';
  /**
   * The address a link downloads a file (or a folder, as a tar) of an image from; only where the
   * transport has addresses (http). Without it the GUI offers no download.
   */
  contentsDownloadUrl?(args: ContentsPathArgs): string;
  /** The address a link downloads an archive of local images from (http). */
  archiveExportUrl?(args: ArchiveDownload): string;
  /** Uploads an archive and imports it into the local registry (http): the server never sees a path of this machine. */
  uploadArchive?(file: File, opts: ArchiveUpload): Promise<ArchiveImportReport>;
  /** The path on this machine of a file dropped on the window (ipc, Electron's webUtils); null when it has none. */
  pathForFile?(file: File): string | null;
}

/** An archive download: local images as `REPO:TAG`, the format, and for docker the platform. */
export interface ArchiveDownload {
  images: string[];
  format: 'oci' | 'docker';
  platform?: string;
  operationId?: string;
}

/** How an archive upload runs. */
export interface ArchiveUpload {
  to?: string;
  operationId?: string;
  signal?: AbortSignal;
  /** Bytes of the file sent so far. */
  onSent?(bytes: number): void;
}

/** The transport-specific extras an AppApi may carry. */
export type ApiExtras = Pick<AppApi, 'contentsDownloadUrl' | 'archiveExportUrl' | 'uploadArchive' | 'pathForFile'>;

/** An AppApi over a bridge that answers envelopes. */
export function apiFromBridge(bridge: BerthBridge, transport: AppApi['transport'], extra: ApiExtras = {}): AppApi {
  return {
    ...extra,
    transport,
    async invoke(channel, ...args) {
      const envelope = await bridge.invoke(channel, args[0] as never);
      if (envelope.ok) return envelope.result;
      throw new ApiCallError(channel, envelope.error);
    },
    on: (event, listener) => bridge.on(event, listener),
  };
}
