/**
 * The renderer's one door to the core: a typed `invoke` and `on` over whichever bridge it is given
 * (Electron's preload or the HTTP bridge of `berth serve --ui`). Components never see a transport;
 * they use react-query hooks built on this (features/<area>/queries.ts).
 */
import type { ApiError, BerthBridge, Code, ContentsPathArgs, EventChannel, EventChannelMap, InvokeArgs, InvokeChannel, InvokeResult } from '../../../src-server/contract';

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
}

/** An AppApi over a bridge that answers envelopes. */
export function apiFromBridge(bridge: BerthBridge, transport: AppApi['transport'], extra: Pick<AppApi, 'contentsDownloadUrl'> = {}): AppApi {
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
