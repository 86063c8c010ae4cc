import { createServer, type RequestListener } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

/** True when something accepts TCP connections on the loopback port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

/** An HTTP server listening on a free loopback port, and how to stop it. */
export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** Drops open connections and closes the listener. */
  close(): Promise<void>;
}

/** Serves `handler` on a free loopback port (tests' servers never bind anything else). */
export async function serveOnLoopback(handler: RequestListener): Promise<LoopbackServer> {
  const server = createServer(handler);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
