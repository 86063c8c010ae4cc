/**
 * A small client of the `/_berth/api` bridge for tests, over node:http so that every header
 * (Origin, Sec-Fetch-Site, Cookie) goes out exactly as written, as a browser of another site would
 * send it.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { type RunningBerth, startBerth } from '../helpers/berth-server';

/** One answer. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  /** The raw bytes (a download). */
  body: Buffer;
}

/** Sends one request to `base` (http://HOST:PORT). */
export function send(base: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json, body });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A logged-in browser: its cookie and CSRF token. */
export interface Login {
  cookie: string;
  csrf: string;
  answer: Answer;
}

/** Logs in with a JSON body (`{username,password}` or `{token}`); throws unless it worked. */
export async function login(base: string, body: Record<string, string>): Promise<Login> {
  const answer = await send(base, 'POST', '/_berth/api/session', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${answer.text}`);
  const set = String(answer.headers['set-cookie']?.[0] ?? '');
  const cookie = set.split(';')[0]!;
  return { cookie, csrf: answer.json.csrfToken, answer };
}

/** Invokes a channel as the GUI does; `headers` override or add. */
export function invoke(base: string, who: Login | undefined, channel: string, args: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return send(base, 'POST', `/_berth/api/invoke/${channel}`, {
    headers: {
      'content-type': 'application/json',
      ...(who ? { cookie: who.cookie, 'x-berth-csrf': who.csrf } : {}),
      ...headers,
    },
    body: args === undefined ? '' : JSON.stringify(args),
  });
}

const started: RunningBerth[] = [];

/**
 * Starts `berth serve --ui --auth basic` on a fresh directory and returns it with the admin
 * password it printed. Call {@link killUiServers} in `afterAll`: the process outlives the test file otherwise.
 */
export async function startUiServer(dataDir: string, extra: string[] = []): Promise<{ berth: RunningBerth; password: string }> {
  const berth = await startBerth(dataDir, ['--auth', 'basic', '--ui', ...extra]);
  started.push(berth);
  const m = /password: (\S+)/.exec(berth.output());
  if (!m) throw new Error(`no admin password in the output:\n${berth.output()}`);
  return { berth, password: m[1]! };
}

/** Kills every server {@link startUiServer} started in this test file. */
export async function killUiServers(): Promise<void> {
  await Promise.all(started.splice(0).map((b) => b.kill()));
}

/** An open event stream and the events it received so far. */
export interface EventStream {
  events: Array<{ event: string; data: unknown }>;
  status: number;
  /** Resolves when an event matching `pred` has arrived (rejects after `ms`). */
  waitFor(pred: (e: { event: string; data: unknown }) => boolean, ms?: number): Promise<{ event: string; data: unknown }>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `GET /_berth/api/events?csrf=...` and parses the frames as they come. */
export function openEvents(base: string, who: Login): Promise<EventStream> {
  const url = new URL(`/_berth/api/events?csrf=${encodeURIComponent(who.csrf)}`, base);
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { cookie: who.cookie, accept: 'text/event-stream' } }, (res) => {
      const events: EventStream['events'] = [];
      const waiters: Array<() => void> = [];
      let buf = '';
      let endedResolve!: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(frame);
          const data = /^data: (.*)$/m.exec(frame);
          if (ev && data) events.push({ event: ev[1]!, data: JSON.parse(data[1]!) });
        }
        for (const w of [...waiters]) w();
      });
      res.on('end', () => endedResolve());
      res.on('close', () => endedResolve());
      resolve({
        events,
        status: res.statusCode!,
        ended,
        close: () => req.destroy(),
        waitFor(pred, ms = 10_000) {
          return new Promise((res2, rej2) => {
            const check = () => {
              const hit = events.find(pred);
              if (hit) {
                clearTimeout(timer);
                waiters.splice(waiters.indexOf(check), 1);
                res2(hit);
              }
            };
            const timer = setTimeout(() => rej2(new Error(`no such event within ${ms} ms; got ${JSON.stringify(events)}`)), ms);
            waiters.push(check);
            check();
          });
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
