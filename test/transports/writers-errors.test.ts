/**
 * A full disk, for real: the sinks write into a 256 KiB tmpfs mounted in a private mount namespace
 * (a child node process, so that the mount never reaches this machine's), and must say so in words
 * naming the destination, and leave no partial file after abort.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../helpers/images';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-writers-errors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Puts a 1 MiB blob into each kind of sink, aborts, and prints what happened and what is left. */
const SCRIPT = `
import { readdirSync } from 'node:fs';
import { randomBytes, createHash } from 'node:crypto';
const { createFileSink } = await import(process.env.SINK_MODULE);
const dir = process.argv[2];
const out = {};
for (const transport of ['oci-archive', 'docker-archive', 'oci']) {
  const sink = await createFileSink(transport, dir + '/out-' + transport, { naming: 'tag' });
  const data = randomBytes(1 << 20);
  const digest = 'sha256:' + createHash('sha256').update(data).digest('hex');
  try {
    await sink.putBlob('r', digest, data.length, (async function* () { for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536); })());
    out[transport] = 'written';
  } catch (e) {
    out[transport] = e.code + ' ' + e.message;
  }
  await sink.abort();
}
out.left = readdirSync(dir, { recursive: true }).sort();
console.log(JSON.stringify(out));
`;

describe('file sinks on a full disk', () => {
  it('say there is no space, naming the destination, and leave no partial archive', async () => {
    const small = join(dir, 'small');
    mkdirSync(small);
    const script = join(dir, 'fill.mjs');
    writeFileSync(script, SCRIPT);
    const run = await runTool('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', `mount -t tmpfs -o size=256k tmpfs "$0" && exec node --import tsx "$1" "$0"`, small, script], {
      cwd: ROOT,
      env: { ...process.env, SINK_MODULE: join(ROOT, 'src-server/transports/open-sink.ts') },
    });
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(out['oci-archive']).toBe(`IMAGE_PLACE_INVALID cannot write ${small}/out-oci-archive: no space left on the device`);
    expect(out['docker-archive']).toBe(`IMAGE_PLACE_INVALID cannot write ${small}/out-docker-archive: no space left on the device`);
    expect(out.oci).toBe(`IMAGE_PLACE_INVALID cannot write blobs into the OCI layout ${small}/out-oci: no space left on the device`);
    // The archives' hidden files are gone; the layout keeps its folder and oci-layout, no temporary blob.
    expect(out.left).toEqual(['out-oci', 'out-oci/blobs', 'out-oci/blobs/sha256', 'out-oci/oci-layout']);
  });
});
