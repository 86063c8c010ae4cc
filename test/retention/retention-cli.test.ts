/**
 * Retention as a user runs it: a real `berth serve`, images pushed by skopeo one after another (so
 * each tag got its digest at its own time), policies added with `berth retention add`, then the dry
 * run, the run, skopeo pulling what stays and failing on what went, and `berth gc` freeing exactly
 * the bytes the run announced.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, GcReport, RetentionListing, RetentionReport, TrashListing } from '../../src-server/contract';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, digestOf, ToolError, writeOciLayout, type ContainersSandbox, type WrittenImage } from '../helpers/images';

const ws = berthWorkspace('berth-retention-cli-');
let berth: RunningBerth;
let dataDir: string;
let sandbox: ContainersSandbox;
/** Image name -> what was written (one platform each: a text layer they all share, and 1 MiB of their own). */
const images = new Map<string, WrittenImage>();
/** repo:tag -> manifest digest. */
const pushed = new Map<string, string>();

async function berthCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runBerth([...args, '--data', dataDir]);
}
async function berthJson<T>(args: string[]): Promise<T> {
  const r = await berthCli([...args, '--json']);
  if (r.code !== 0) throw new Error(`berth ${args.join(' ')}: ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

async function push(image: string, ref: string): Promise<void> {
  if (!images.has(image)) images.set(image, writeOciLayout(join(ws.dir, `layout-${image}`)).images[0]!);
  await sandbox.skopeo(['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `oci:${join(ws.dir, `layout-${image}`)}:latest`, `docker://${berth.host}/${ref}`]);
  pushed.set(ref, images.get(image)!.manifest.digest);
}

/** The manifest digest skopeo reads for a reference; throws ToolError when the registry refuses. */
async function inspect(ref: string): Promise<string> {
  return digestOf((await sandbox.skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/${ref}`])).stdout);
}
async function inspectFailure(ref: string): Promise<string> {
  try {
    await inspect(ref);
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    return (err as ToolError).stderr;
  }
  throw new Error(`${ref} is still there`);
}

/** Bytes an image holds apart from the text layer every image here shares. */
const ownBytes = (image: string) => {
  const i = images.get(image)!;
  return i.manifest.size + i.config.size + i.layers[1]!.size;
};

beforeAll(async () => {
  dataDir = ws.fresh();
  berth = await ws.serve(dataDir);
  sandbox = containersSandbox(join(ws.dir, 'containers'));
  // One after another: each tag gets its digest later than the one before.
  await push('L1', 'team/app:v1.0.0');
  await push('L2', 'team/app:build-1');
  await push('L3', 'team/app:build-2');
  await push('L4', 'team/app:build-3');
  await push('L5', 'team/app:build-4');
  await push('L5', 'team/app:latest');
  await push('L1', 'team/web:w1');
  await push('L6', 'team/web:w2');
  await push('L7', 'team/web:w3');
  await push('L8', 'scratch/x:s1');
  await push('L9', 'scratch/x:s2');
  await push('L10', 'other/app:o1');
}, 180_000);

afterAll(() => sandbox?.cleanup());

describe('berth retention', () => {
  it('refuses bad policies with words and exit code 1', async () => {
    const bad = [
      [['--keep-tags', '(unclosed'], /berth: policy bad: keep-tags: "\(unclosed" is not a valid regular expression/],
      [['--keep-newer-than', '30 days'], /berth: policy bad: keep-newer-than: "30 days" is not a duration/],
      [['--keep-last', '0'], /berth: policy bad would delete every tag of the repositories it matches \(team\/\*\): confirm with --force/],
      [['--keep-newer-than', '0'], /would delete every tag/],
      [['--keep-last', 'ten'], /berth: --keep-last: "ten" is not a whole number/],
    ] as const;
    for (const [flags, message] of bad) {
      const r = await berthCli(['retention', 'add', 'bad', '--repos', 'team/*', ...flags]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    const repos = await berthCli(['retention', 'add', 'bad', '--repos', 'Team/*', '--keep-last', '1']);
    expect(repos.code).toBe(1);
    expect(repos.stderr).toMatch(/repos: "Team\/\*" is not a repository glob/);
    const missing = await berthCli(['retention', 'rm', 'bad']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no retention policy named "bad"/);
    expect((await berthJson<RetentionListing>(['retention', 'list'])).policies).toEqual([]);
  });

  it('adds overlapping policies, and lists which policy keeps what and why', async () => {
    for (const args of [
      ['recent', '--repos', 'team/*', '--keep-last', '2', '--untagged'],
      ['releases', '--repos', 'team/app', '--keep-tags', '^v\\d+\\.\\d+\\.\\d+$', '--keep-tags', '^never$'],
      ['scratch', '--repos', 'scratch/*', '--keep-last', '1'],
    ]) {
      const r = await berthCli(['retention', 'add', ...args]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const listing = await berthJson<RetentionListing>(['retention', 'list']);
    const keeps = (name: string) => listing.policies.find((p) => p.name === name)!.kept.map((k) => `${k.repository}:${k.tag}=${k.reasons.join('+')}`).sort();
    expect(keeps('recent')).toEqual(['team/app:build-4=last', 'team/app:latest=last', 'team/web:w2=last', 'team/web:w3=last']);
    expect(keeps('releases')).toEqual(['team/app:v1.0.0=pattern']);
    expect(keeps('scratch')).toEqual(['scratch/x:s2=last']);
    expect(listing.policies.map((p) => [p.name, p.repositories])).toEqual([['recent', 2], ['releases', 1], ['scratch', 1]]);
    expect(listing.schedule).toBeNull();
    const human = await berthCli(['retention', 'list']);
    expect(human.stdout).toContain('recent: repos team/* (2 repositories); keeps the last 2; removes untagged manifests');
    expect(human.stdout).toMatch(/team\/app:v1\.0\.0 +matches a pattern/);
  });

  it('--dry-run names exactly what would go and the exact bytes, and changes nothing', async () => {
    const report = await berthJson<RetentionReport>(['retention', 'run', '--dry-run']);
    expect(report.dryRun).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.tags.map((t) => `${t.repository}:${t.tag}@${t.digest}`).sort()).toEqual(
      ['team/app:build-1', 'team/app:build-2', 'team/app:build-3', 'team/web:w1', 'scratch/x:s1'].map((r) => `${r}@${pushed.get(r)}`).sort(),
    );
    expect(report.manifests.map((m) => `${m.repository}@${m.digest}`).sort()).toEqual(
      [`team/app@${pushed.get('team/app:build-1')}`, `team/app@${pushed.get('team/app:build-2')}`, `team/app@${pushed.get('team/app:build-3')}`, `team/web@${pushed.get('team/web:w1')}`].sort(),
    );
    // L1 stays needed by team/app:v1.0.0, and the shared text layer by every kept image: neither counts.
    expect(report.bytesFreed).toBe(ownBytes('L2') + ownBytes('L3') + ownBytes('L4'));
    expect(report.bytesLeftUntagged).toBe(ownBytes('L8'));
    expect(await inspect('team/app:build-1')).toBe(pushed.get('team/app:build-1'));
    const human = await berthCli(['retention', 'run', '--dry-run']);
    expect(human.stdout).toContain('Would remove 5 tags and 4 untagged manifests (dry run: nothing removed)');
    expect(human.stdout).toContain(`team/app:build-1  ${pushed.get('team/app:build-1')}  (recent, releases)`);
    expect(human.stdout).toContain(`(${report.bytesFreed} bytes)`);
  });

  it('run removes exactly those; what stays pulls, what went is MANIFEST_UNKNOWN; gc frees the announced bytes', async () => {
    const report = await berthJson<RetentionReport>(['retention', 'run']);
    expect(report.dryRun).toBe(false);
    expect(report.errors).toEqual([]);
    expect(report.tags.map((t) => `${t.repository}:${t.tag}`).sort()).toEqual(['scratch/x:s1', 'team/app:build-1', 'team/app:build-2', 'team/app:build-3', 'team/web:w1']);
    expect(report.manifests).toHaveLength(4);
    expect(report.bytesFreed).toBe(ownBytes('L2') + ownBytes('L3') + ownBytes('L4'));

    for (const ref of ['team/app:build-1', 'team/app:build-2', 'team/app:build-3', 'team/web:w1', 'scratch/x:s1']) {
      expect(await inspectFailure(ref)).toMatch(/manifest unknown/i);
    }
    expect(await inspectFailure(`team/app@${pushed.get('team/app:build-2')}`)).toMatch(/manifest unknown/i);
    // Left untagged (its policy has no untagged): still there by digest.
    expect(await inspect(`scratch/x@${pushed.get('scratch/x:s1')}`)).toBe(pushed.get('scratch/x:s1'));

    // What the run removed went to the trash, by its policies, and holds its bytes back from gc.
    const trash = await berthJson<TrashListing>(['trash', 'list', '--json']);
    expect(trash.items.length).toBeGreaterThan(0);
    expect(trash.items.every((i) => i.source === 'retention' && typeof i.policy === 'string')).toBe(true);
    expect(trash.items.flatMap((i) => i.tags.map((t) => `${i.repository}:${t}`)).sort()).toEqual(
      ['scratch/x:s1', 'team/app:build-1', 'team/app:build-2', 'team/app:build-3', 'team/web:w1'],
    );
    expect((await berthJson<GcReport>(['gc', '--grace', '0', '--dry-run'])).bytesRemoved).toBe(0);
    expect((await berthCli(['trash', 'empty'])).code).toBe(0);
    // Nothing else was in the trash or unreferenced before: gc frees exactly the announced bytes.
    const gc = await berthJson<GcReport>(['gc', '--grace', '0']);
    expect(gc.bytesRemoved).toBe(report.bytesFreed);
    const untagged = await berthJson<GcReport>(['gc', '--grace', '0', '--delete-untagged']);
    expect(untagged.bytesRemoved).toBe(report.bytesLeftUntagged);
    expect(untagged.manifestsRemoved).toEqual([{ repository: 'scratch/x', digest: pushed.get('scratch/x:s1') }]);

    // Every kept tag pulls whole after both collections.
    mkdirSync(join(ws.dir, 'pulled'), { recursive: true });
    for (const ref of ['team/app:v1.0.0', 'team/app:build-4', 'team/app:latest', 'team/web:w2', 'team/web:w3', 'scratch/x:s2', 'other/app:o1']) {
      expect(await inspect(ref)).toBe(pushed.get(ref));
      await sandbox.skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${berth.host}/${ref}`, `dir:${join(ws.dir, 'pulled', ref.replace(/[/:]/g, '_'))}`]);
    }
  }, 120_000);

  it('keeps the last report across a restart', async () => {
    await berth.stop();
    // In-process now: no server runs.
    const listing = await berthJson<RetentionListing>(['retention', 'list']);
    expect(listing.lastRun).toMatchObject({ dryRun: false, trigger: 'manual' });
    expect(listing.lastRun!.tags).toHaveLength(5);
    expect(listing.running).toBe(false);
    expect(listing.nextRun).toBeNull();
    const rm = await berthCli(['retention', 'rm', 'scratch']);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain('removed retention policy scratch; 2 policies left');

    // The audit log has the policy changes and the run (not the dry runs).
    const audit = await berthCli(['audit', '--json']);
    expect(audit.code).toBe(0);
    const entries = audit.stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.filter((e) => e.action === 'retention.run')).toEqual([
      expect.objectContaining({ via: 'cli', target: 'registry', result: 'ok', detail: { tags: 5, manifests: 4, bytesFreed: ownBytes('L2') + ownBytes('L3') + ownBytes('L4'), errors: 0 } }),
    ]);
    const changes = entries.filter((e) => e.action === 'settings.change').map((e) => `${e.target} ${e.result}`);
    expect(changes).toEqual(expect.arrayContaining(['retention policy recent ok', 'retention policy bad POLICY_KEEPS_NOTHING', 'retention policy bad POLICY_UNKNOWN', 'retention policy scratch ok']));
  });
});
