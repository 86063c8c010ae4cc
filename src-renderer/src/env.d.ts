/** What the preload puts on `window` (see src-main/preload.ts). */
import type { BerthBridge } from '../../src-server/contract';

declare global {
  interface Window {
    /** Present in Electron; absent in a browser, where the HTTP transport is used instead. */
    readonly berth?: BerthBridge;
    /** Electron only: the path of a file dropped on the window (webUtils.getPathForFile), '' for none. */
    readonly berthFiles?: { pathOf(file: File): string };
  }
}

export {};
