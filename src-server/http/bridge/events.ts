/**
 * Server-Sent Events of the `/_berth/api` bridge: each logged-in session may hold event streams;
 * events of a call go to the streams of the session that made it, status changes to every stream.
 * Wire format: `event: <channel>\ndata: <json>\n\n`, and a `: keepalive` comment every 15 s so that
 * proxies and the server's idle-socket timeout never cut a quiet stream.
 */
import type { ServerResponse } from 'node:http';
import type { EventChannel, EventChannelMap } from '../../contract';

/** How often a quiet stream gets a comment line. */
export const KEEPALIVE_MS = 15_000;

interface Stream {
  res: ServerResponse;
  session: string;
}

/** Formats one event as SSE. */
export function sseFrame(channel: string, payload: unknown): string {
  // JSON.stringify never emits a raw newline, so one `data:` line holds the whole payload.
  return `event: ${channel}\ndata: ${JSON.stringify(payload ?? null)}\n\n`;
}

/** The open event streams, by session. */
export class EventHub {
  private readonly streams = new Set<Stream>();
  private readonly timer: NodeJS.Timeout;

  constructor(keepaliveMs = KEEPALIVE_MS) {
    this.timer = setInterval(() => {
      for (const s of this.streams) s.res.write(': keepalive\n\n');
    }, keepaliveMs);
    this.timer.unref();
  }

  /** Takes over `res` as an event stream of `session` until the client leaves or the session ends. */
  open(res: ServerResponse, session: string): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      Connection: 'keep-alive',
      // Tells nginx-like proxies not to buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.write(': connected\n\n');
    const stream: Stream = { res, session };
    this.streams.add(stream);
    res.on('close', () => this.streams.delete(stream));
  }

  /** Sends an event to the streams of one session. */
  send<E extends EventChannel>(session: string, channel: E, payload: EventChannelMap[E]): void {
    const frame = sseFrame(channel, payload);
    for (const s of this.streams) if (s.session === session) s.res.write(frame);
  }

  /** Sends an event to every stream. */
  broadcast<E extends EventChannel>(channel: E, payload: EventChannelMap[E]): void {
    const frame = sseFrame(channel, payload);
    for (const s of this.streams) s.res.write(frame);
  }

  /** Ends the streams of a session (logout, expiry). */
  closeSession(session: string): void {
    for (const s of this.streams) {
      if (s.session === session) {
        this.streams.delete(s);
        s.res.end();
      }
    }
  }

  /** Ends every stream and the keepalive timer (server shutdown). */
  close(): void {
    clearInterval(this.timer);
    for (const s of this.streams) s.res.end();
    this.streams.clear();
  }

  /** Number of open streams (tests). */
  get size(): number {
    return this.streams.size;
  }
}
