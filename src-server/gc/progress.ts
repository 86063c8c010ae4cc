import type { GcProgress } from '../contract';

/** Reports progress through `emit` at most once per `intervalMs`, except a phase's first and last step. */
export class ProgressThrottle {
  private last = 0;
  private phase: GcProgress['phase'] | null = null;

  constructor(
    private readonly emit: ((p: GcProgress) => void) | undefined,
    private readonly intervalMs = 50,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes progress; forwards it when a phase starts or ends, or when enough time has passed. */
  report(phase: GcProgress['phase'], done: number, total: number): void {
    if (!this.emit) return;
    const t = this.now();
    const edge = phase !== this.phase || done === 0 || done >= total;
    if (!edge && t - this.last < this.intervalMs) return;
    this.phase = phase;
    this.last = t;
    this.emit({ phase, done, total });
  }
}
