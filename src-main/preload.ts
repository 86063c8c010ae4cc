/**
 * The preload: a generic, typed bridge exposed as `window.berth`. It forwards only channel names the
 * contract knows, so the renderer cannot reach any other IPC channel; it has no per-method code.
 * It runs sandboxed, so it is bundled to one CommonJS file that requires nothing but `electron`.
 * Beside it, `window.berthFiles.pathOf(file)` gives the path of a file dropped on the window (the
 * main process accepts it for an import only, and only a regular file).
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  isEventChannel,
  isInvokeChannel,
  type BerthBridge,
  type Envelope,
  type EventChannel,
  type EventChannelMap,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from '../src-server/contract';

const bridge: BerthBridge = {
  invoke<C extends InvokeChannel>(channel: C, payload: InvokeArgs<C>): Promise<Envelope<InvokeResult<C>>> {
    if (!isInvokeChannel(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'CHANNEL_UNKNOWN', message: `unknown channel: ${String(channel)}` },
      });
    }
    return ipcRenderer.invoke(channel, payload) as Promise<Envelope<InvokeResult<C>>>;
  },
  on<C extends EventChannel>(channel: C, listener: (payload: EventChannelMap[C]) => void): () => void {
    if (!isEventChannel(channel)) throw new Error(`unknown event channel: ${String(channel)}`);
    // The IPC event object is dropped: it carries `sender`, which must not leak into the page.
    const wrapped = (_event: IpcRendererEvent, payload: EventChannelMap[C]) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('berth', bridge);
contextBridge.exposeInMainWorld('berthFiles', { pathOf: (file: File): string => webUtils.getPathForFile(file) });
