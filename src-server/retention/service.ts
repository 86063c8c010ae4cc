/**
 * Retention as the API and the scheduler use it: the policies of retention.yml (listed with what
 * each keeps now, added, removed), the schedule, and runs (see runner.ts).
 */
import type { RetentionAddArgs, RetentionKept, RetentionListing, RetentionPolicyView, RetentionReport } from '../contract';
import { RETENTION_KEPT_LIMIT } from '../contract';
import { matchesPattern } from '../auth/rules';
import { RegistryError } from '../core/errors';
import type { Logger } from '../logger';
import type { Registry } from '../registry/registry';
import type { RegistryService } from '../registry/service';
import { evaluatePolicies } from './evaluate';
import { createPatternTester, type PatternTester } from './pattern-guard';
import { readTags } from './plan';
import { compilePolicy, PolicyError, type CompiledPolicy, type StoredPolicy } from './policy';
import { readRetentionFile, retentionFilePath, scheduleMs, writeRetentionFile, type RetentionFile } from './policy-file';
import { RetentionRunner } from './runner';

/** What retention works on. */
export interface RetentionDeps {
  dataDir: string;
  /** The local registry (index, storage listing, trash holds). */
  registry: Registry;
  /** Who deletes: the registry as served (default `registry`). */
  deleter?: Pick<RegistryService, 'deleteManifest' | 'deleteEnabled'>;
  log: Logger;
  now?: () => number;
  tester?: PatternTester;
}

/** The policies, the schedule's state and the runs of one data directory. */
export class RetentionService {
  /** Where the policies live. */
  readonly file: string;
  private readonly runner: RetentionRunner;
  private readonly now: () => number;
  private readonly tester: PatternTester;
  private readonly listeners = new Set<() => void>();
  /** Set by the scheduler of a serving process: when the next run is due (ms), or null. */
  nextRunAt: () => number | null = () => null;

  constructor(private readonly deps: RetentionDeps) {
    this.file = retentionFilePath(deps.dataDir);
    this.now = deps.now ?? Date.now;
    this.tester = deps.tester ?? createPatternTester();
    this.runner = new RetentionRunner({ ...deps, deleter: deps.deleter ?? deps.registry, now: this.now, tester: this.tester });
  }

  /** Whether a run goes on. */
  get running(): boolean {
    return this.runner.running;
  }

  /** The last run that was not dry, or null. */
  lastRun(): RetentionReport | null {
    return this.runner.lastRun();
  }

  /** Reads retention.yml (RETENTION_FILE_INVALID when it cannot be used). */
  read(): RetentionFile {
    return readRetentionFile(this.file);
  }

  /** Calls `fn` whenever the API changes the file. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The policies with what each keeps now, the schedule and the runs. */
  listing(): RetentionListing {
    const content = this.read();
    const tags = readTags(this.deps.registry.forCollection().index);
    const now = this.now();
    const policies = content.policies.map((p): RetentionPolicyView => {
      const compiled = compilePolicy(p);
      const kept: RetentionKept[] = [];
      let keptCount = 0;
      for (const d of evaluatePolicies(tags, [compiled], now, this.tester)) {
        for (const [tag, byPolicy] of d.kept) {
          keptCount++;
          if (kept.length < RETENTION_KEPT_LIMIT) kept.push({ repository: d.repository, tag, reasons: byPolicy.get(compiled.name)! });
        }
      }
      const { force: _force, ...view } = p;
      return { ...view, repositories: tags.filter((r) => matchesPattern(p.repos, r.repository)).length, kept, keptCount };
    });
    const next = content.schedule !== null ? this.nextRunAt() : null;
    return {
      file: this.file,
      schedule: content.schedule,
      policies,
      nextRun: next !== null ? new Date(next).toISOString() : null,
      lastRun: this.lastRun(),
      running: this.running,
    };
  }

  /** Adds a policy (or replaces one of the same name with `replace`). */
  add(args: RetentionAddArgs): RetentionListing {
    const content = this.read();
    const stored: StoredPolicy = { ...args.policy };
    let compiled: CompiledPolicy;
    try {
      compiled = compilePolicy(stored, args.force === true);
    } catch (err) {
      throw policyError(err);
    }
    const keepsNothing = !compiled.keepsAll && !compiled.keepLast && !compiled.keepNewerMs && compiled.keepTags.length === 0;
    if (keepsNothing) stored.force = true;
    else delete stored.force;
    if (stored.keepTags?.length === 0) delete stored.keepTags;
    if (stored.untagged === false) delete stored.untagged;
    const at = content.policies.findIndex((p) => p.name === stored.name);
    if (at >= 0 && !args.replace) throw new RegistryError('POLICY_EXISTS', { message: `a retention policy named ${stored.name} exists (replace it, or remove it first)` });
    if (at >= 0) content.policies[at] = stored;
    else content.policies.push(stored);
    return this.write(content);
  }

  /** Removes a policy. */
  remove(name: string): RetentionListing {
    const content = this.read();
    const at = content.policies.findIndex((p) => p.name === name);
    if (at < 0) throw new RegistryError('POLICY_UNKNOWN', { message: `no retention policy named ${JSON.stringify(name)}` });
    content.policies.splice(at, 1);
    return this.write(content);
  }

  /** Sets (a duration of at least a minute) or clears (null) the schedule. */
  setSchedule(schedule: string | null): RetentionListing {
    const content = this.read();
    if (schedule !== null) {
      try {
        scheduleMs(schedule);
      } catch (err) {
        throw policyError(err);
      }
    }
    content.schedule = schedule;
    return this.write(content);
  }

  /** Runs every policy now (or previews the run); BUSY while another run goes on. */
  async run(opts: { dryRun?: boolean; trigger?: RetentionReport['trigger'] } = {}): Promise<RetentionReport> {
    const content = this.read();
    const policies = content.policies.map((p) => compilePolicy(p));
    return this.runner.run(policies, { dryRun: opts.dryRun === true, trigger: opts.trigger ?? 'manual' });
  }

  private write(content: RetentionFile): RetentionListing {
    try {
      writeRetentionFile(this.file, content);
    } catch (err) {
      throw new RegistryError('RETENTION_FILE_INVALID', { message: `cannot write ${this.file}: ${(err as Error).message}` });
    }
    for (const fn of this.listeners) {
      try {
        fn();
      } catch (err) {
        this.deps.log.warn(`retention: ${(err as Error).message}`);
      }
    }
    return this.listing();
  }
}

/** A policy's refusal as the API answers it. */
function policyError(err: unknown): Error {
  if (!(err instanceof PolicyError)) return err as Error;
  return new RegistryError(err.keepsNothing ? 'POLICY_KEEPS_NOTHING' : 'POLICY_INVALID', { message: err.message });
}
