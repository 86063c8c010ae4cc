/**
 * The contract between the GUI and the core: channel names, request/response types and the one error
 * envelope shared by the Electron IPC bridge (src-main) and the HTTP bridge (`/_berth/api`).
 *
 * This module is pure: it imports nothing, so src-renderer, src-main and src-server can all depend on it
 * (test/layering.test.ts enforces that). It holds constants and types only, never logic with effects.
 *
 * This is the start of the contract. Issue 5 fills it in: repositories, tags, users, certificates,
 * remotes and events for the GUI. Add a method by adding a key to {@link InvokeChannelMap} and its name
 * to {@link INVOKE_CHANNELS}; the preload and the transports are generic and need no change.
 */

/** The error half of the envelope: `code` is machine-readable, `message` is for people. */
export interface ApiError {
  /** An OCI error code (e.g. `NAME_UNKNOWN`) or a Berth one (e.g. `INTERNAL`, `CHANNEL_UNKNOWN`). */
  code: string;
  message: string;
  /** Extra structured context, safe to show; never a stack trace. */
  detail?: unknown;
}

/** Every reply over IPC or the HTTP bridge: a result, or an error, never a thrown exception. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ApiError };

/** Result of `registry:status`: whether the embedded registry listens, and where. */
export interface RegistryStatus {
  running: boolean;
  /** The base URL clients push to (e.g. `http://127.0.0.1:5000`), or null when stopped. */
  url: string | null;
}

/**
 * Request/response methods, keyed by channel name (the Podman Desktop `IpcInvokeChannelMap` idea).
 * `args` is the single payload argument; `result` is what the envelope carries on success.
 */
export interface InvokeChannelMap {
  'registry:status': { args: void; result: RegistryStatus };
}

/** Events pushed from the core to the GUI, keyed by channel name, with their payload. */
export interface EventChannelMap {
  'registry:status-changed': RegistryStatus;
}

/** A request/response channel name. */
export type InvokeChannel = keyof InvokeChannelMap;
/** An event channel name. */
export type EventChannel = keyof EventChannelMap;
/** The payload type of an invoke channel. */
export type InvokeArgs<C extends InvokeChannel> = InvokeChannelMap[C]['args'];
/** The result type of an invoke channel. */
export type InvokeResult<C extends InvokeChannel> = InvokeChannelMap[C]['result'];

// Records keyed by the maps, so the compiler refuses a channel missing from, or unknown to, the maps.
const INVOKE_CHANNEL_KEYS: Record<InvokeChannel, true> = { 'registry:status': true };
const EVENT_CHANNEL_KEYS: Record<EventChannel, true> = { 'registry:status-changed': true };

/** Invoke channel names at run time, exactly the keys of {@link InvokeChannelMap}. */
export const INVOKE_CHANNELS = Object.freeze(Object.keys(INVOKE_CHANNEL_KEYS) as InvokeChannel[]);
/** Event channel names at run time, exactly the keys of {@link EventChannelMap}. */
export const EVENT_CHANNELS = Object.freeze(Object.keys(EVENT_CHANNEL_KEYS) as EventChannel[]);

/** True when `name` is a known invoke channel (bridges refuse anything else). */
export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(name);
}

/** True when `name` is a known event channel. */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && (EVENT_CHANNELS as readonly string[]).includes(name);
}

/**
 * What the preload exposes as `window.berth`: a generic bridge, never one function per method.
 * The renderer wraps it in its AppApi; the HTTP transport implements the same shape over fetch.
 */
export interface BerthBridge {
  invoke<C extends InvokeChannel>(channel: C, payload: InvokeArgs<C>): Promise<Envelope<InvokeResult<C>>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<C extends EventChannel>(channel: C, listener: (payload: EventChannelMap[C]) => void): () => void;
}
