/**
 * Runs the policies, one run at a time: evaluates them on the index, then removes each tag only if
 * it still points at the planned digest (a push during the run is never deleted), then each
 * untagged manifest only if nothing reaches it still. A failure of one item is reported and the rest
 * goes on; a dry run changes nothing. The last report is kept in `<data>/berth/retention-last.json`
 * so that it survives a restart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RetentionRemoval, RetentionReport } from '../contract';
import { RegistryError } from '../core/errors';
import { writeFileAtomic } from '../core/files';
import { loadGraph, mark } from '../gc/graph';
import { blobsOnDisk } from '../gc/collect';
import type { Logger } from '../logger';
import type { Registry } from '../registry/registry';
import type { RegistryService } from '../registry/service';
import { BERTH_DIR } from '../storage/layout';
import { evaluatePolicies } from './evaluate';
import { createPatternTester, type PatternTester } from './pattern-guard';
import { measureRemovals, planRemovals, readTags, type RemovalPlan } from './plan';
import type { CompiledPolicy } from './policy';

/** What a run works on. */
export interface RunnerDeps {
  /** The local registry: its index, storage listing and the trash's holds. */
  registry: Registry;
  /** Who deletes: the registry as it is served (the trash wraps it). */
  deleter: Pick<RegistryService, 'deleteManifest' | 'deleteEnabled'>;
  dataDir: string;
  log: Logger;
  /** The clock evaluations read; default Date.now. */
  now?: () => number;
  tester?: PatternTester;
}

/** Options of one run. */
export interface RunOptions {
  dryRun: boolean;
  trigger: RetentionReport['trigger'];
}

/** Where the last report of a data directory lives. */
export function lastReportPath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'retention-last.json');
}

/** Runs policies; refuses (BUSY) a run while another goes on. */
export class RetentionRunner {
  private current: Promise<RetentionReport> | null = null;
  private last: RetentionReport | null | undefined;
  private readonly now: () => number;
  private readonly tester: PatternTester;

  constructor(private readonly deps: RunnerDeps) {
    this.now = deps.now ?? Date.now;
    this.tester = deps.tester ?? createPatternTester();
  }

  /** Whether a run goes on. */
  get running(): boolean {
    return this.current !== null;
  }

  /** The last run that was not dry (kept across restarts), or null. */
  lastRun(): RetentionReport | null {
    if (this.last === undefined) this.last = readLastReport(lastReportPath(this.deps.dataDir), this.deps.log);
    return this.last;
  }

  /** Evaluates `policies` and removes what none keeps (or, dry, says what it would). */
  run(policies: readonly CompiledPolicy[], opts: RunOptions): Promise<RetentionReport> {
    if (this.current) throw new RegistryError('BUSY', { message: 'a retention run is already going on: wait for it to finish (see retention list)' });
    if (!opts.dryRun && !this.deps.deleter.deleteEnabled) {
      throw new RegistryError('UNSUPPORTED', { message: 'deletes are disabled on this registry (storage.delete.enabled: false): a retention run cannot remove anything' });
    }
    const run = this.execute(policies, opts).finally(() => {
      this.current = null;
    });
    this.current = run;
    return run;
  }

  private async execute(policies: readonly CompiledPolicy[], opts: RunOptions): Promise<RetentionReport> {
    const startedMs = this.now();
    const clockStart = Date.now();
    const access = this.deps.registry.forCollection();
    // One synchronous read: no write of this process lands between the graph and the tags.
    const graph = loadGraph(access.index);
    const tags = readTags(access.index);
    const holds = await access.trashHolds();
    const decisions = evaluatePolicies(tags, policies, startedMs, this.tester);
    const plan = planRemovals(graph, tags, decisions, holds);
    const onDisk = await blobsOnDisk(access);
    const errors: RetentionReport['errors'] = [];
    const done = opts.dryRun ? plan : await this.remove(plan, errors);
    const report: RetentionReport = {
      dryRun: opts.dryRun,
      trigger: opts.trigger,
      startedAt: new Date(startedMs).toISOString(),
      durationMs: Date.now() - clockStart,
      tags: done.tags,
      manifests: done.manifests,
      ...measureRemovals(graph, tags, done, holds, onDisk),
      errors,
    };
    this.deps.log.info(summaryLine(report));
    if (!opts.dryRun) this.keep(report);
    return report;
  }

  /** Removes the planned items that are still what was planned; returns what went. */
  private async remove(plan: RemovalPlan, errors: RetentionReport['errors']): Promise<RemovalPlan> {
    const { registry, deleter } = this.deps;
    const done: RemovalPlan = { tags: [], manifests: [] };
    for (const t of plan.tags) {
      try {
        const now = await registry.currentTag(t.repository, t.tag!);
        if (now !== t.digest) {
          errors.push({ ...where(t), message: now === null ? 'already gone' : `now points at ${now} (pushed during the run): kept` });
          continue;
        }
        await deleter.deleteManifest(t.repository, t.tag!, { source: 'retention', policy: t.policies.join(',') });
        done.tags.push(t);
      } catch (err) {
        errors.push({ ...where(t), message: (err as Error).message });
      }
    }
    if (plan.manifests.length === 0) return done;
    // Read again: a push during the run may have tagged a manifest, or an index reaching it.
    const index = registry.forCollection().index;
    const stillRemovable = new Set(mark(loadGraph(index), true).removable.map((m) => `${m.repository}@${m.digest}`));
    for (const m of plan.manifests) {
      try {
        if (!stillRemovable.has(`${m.repository}@${m.digest}`) || index.tagsOf(m.repository, m.digest).length > 0) {
          errors.push({ ...where(m), message: index.hasManifest(m.repository, m.digest) ? 'a tag still reaches it (kept, or pushed during the run): kept' : 'already gone' });
          continue;
        }
        await deleter.deleteManifest(m.repository, m.digest, { source: 'retention', policy: m.policies.join(',') });
        done.manifests.push(m);
      } catch (err) {
        errors.push({ ...where(m), message: (err as Error).message });
      }
    }
    return done;
  }

  private keep(report: RetentionReport): void {
    this.last = report;
    try {
      writeFileAtomic(lastReportPath(this.deps.dataDir), JSON.stringify(report) + '\n', 0o644);
    } catch (err) {
      this.deps.log.warn(`retention: cannot save the last report: ${(err as Error).message}`);
    }
  }
}

function where(r: RetentionRemoval): { repository: string; tag?: string; digest: string } {
  return r.tag !== undefined ? { repository: r.repository, tag: r.tag, digest: r.digest } : { repository: r.repository, digest: r.digest };
}

/** The last report file, or null when missing or unreadable (said in the log). */
function readLastReport(file: string, log: Logger): RetentionReport | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const r = JSON.parse(text) as RetentionReport;
    if (r && typeof r.startedAt === 'string' && Array.isArray(r.tags) && Array.isArray(r.manifests) && Array.isArray(r.errors)) return r;
  } catch {
    // Reported below.
  }
  log.warn(`retention: ignoring an unreadable ${file}`);
  return null;
}

/** The one log line of a run. */
export function summaryLine(r: RetentionReport): string {
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return (
    `retention (${r.trigger}${r.dryRun ? ', dry run' : ''}): ${r.dryRun ? 'would remove' : 'removed'} ${r.tags.length} tags, ${r.manifests.length} manifests; ` +
    `${mib(r.bytesFreed)} freed by the next gc once out of the trash, ${mib(r.bytesLeftUntagged)} left untagged; ${r.errors.length} errors; ${r.durationMs} ms`
  );
}
