import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What one load-generator run measured. */
export interface LoadResult {
  requestsPerSec: number;
  requests: number;
  /** Non-2xx/3xx answers plus socket errors: must be 0 for the figure to count. */
  errors: number;
  /** The generator's own report, for the JSON. */
  tool: string;
}

/** Options common to both load generators. */
export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
}

/** Parses wrk's text report. */
export function parseWrk(out: string): LoadResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (num(/Non-2xx or 3xx responses: (\d+)/) || 0);
  return { requestsPerSec: num(/Requests\/sec:\s+([\d.]+)/), requests: num(/(\d+) requests in/), errors, tool: 'wrk' };
}

/** Parses ApacheBench's text report. */
export function parseAb(out: string): LoadResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const errors = (num(/Failed requests:\s+(\d+)/) || 0) + (num(/Non-2xx responses:\s+(\d+)/) || 0);
  return { requestsPerSec: num(/Requests per second:\s+([\d.]+)/), requests: num(/Complete requests:\s+(\d+)/), errors, tool: 'ab' };
}

/** GET load: `wrk -t1 -cN -dS`. One thread: the machine has 2 cores and the server needs them more. */
export async function wrkGet(o: LoadOptions): Promise<LoadResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.seconds}s`];
  for (const [k, v] of Object.entries(o.headers)) args.push('-H', `${k}: ${v}`);
  const { stdout } = await run('wrk', [...args, o.url], { timeout: (o.seconds + 30) * 1000 });
  const r = parseWrk(stdout);
  if (!(r.requestsPerSec > 0)) throw new Error(`wrk reported nothing:\n${stdout}`);
  return r;
}

/**
 * HEAD load: `ab -i -k -cN -tS`. wrk 4.1 cannot do HEAD: after a HEAD answer carrying Content-Length
 * it waits for a body that never comes, so each connection stalls after its first request.
 */
export async function abHead(o: LoadOptions): Promise<LoadResult> {
  // -n after -t: -t alone caps the run at 50,000 requests.
  const args = ['-i', '-k', '-q', '-c', String(o.connections), '-t', String(o.seconds), '-n', '100000000'];
  for (const [k, v] of Object.entries(o.headers)) args.push('-H', `${k}: ${v}`);
  const { stdout } = await run('ab', [...args, o.url], { timeout: (o.seconds + 30) * 1000 });
  const r = parseAb(stdout);
  if (!(r.requestsPerSec > 0)) throw new Error(`ab reported nothing:\n${stdout}`);
  return r;
}
