/**
 * A registry stand-in on one loopback port that answers both HTTPS and plain HTTP (it looks at the
 * first byte of each connection: 0x16 starts a TLS handshake), wants Basic credentials, and records
 * every request with its scheme and Authorization header. With it a test can move a connection
 * from `https://127.0.0.1:PORT` to `http://127.0.0.1:PORT` and see exactly what crossed in clear.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';

/** One request the stand-in received. */
export interface SeenRequest {
  scheme: 'http' | 'https';
  method: string;
  path: string;
  authorization: string | undefined;
}

/** A running stand-in. */
export interface RecordingRegistry {
  port: number;
  /** SHA-256 fingerprint of its (self-signed) certificate, to pin. */
  fingerprint: string;
  /** Everything received so far, oldest first. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts the stand-in on 127.0.0.1, accepting `user:password`; `dir` holds its key and certificate. */
export async function startRecordingRegistry(dir: string, user: string, password: string): Promise<RecordingRegistry> {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { cwd: dir, stdio: 'pipe' },
  );
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const seen: SeenRequest[] = [];
  const answer = (scheme: SeenRequest['scheme']) => (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ scheme, method: req.method ?? '', path, authorization: req.headers.authorization });
    req.resume();
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0', ...headers }).end(JSON.stringify(body));
    if (req.headers.authorization !== expected) return json(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': 'Basic realm="recording"' });
    if (path === '/v2/') return json(200, {});
    if (path === '/v2/_catalog') return json(200, { repositories: [`over-${scheme}/app`] });
    json(404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
  };
  const http = createHttpServer(answer('http'));
  const https = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, answer('https'));
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? https : http).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return {
    port: (front.address() as AddressInfo).port,
    fingerprint: new X509Certificate(cert).fingerprint256,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => front.close(resolve));
    },
  };
}
