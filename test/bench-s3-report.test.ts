/**
 * The S3 bench's report (bench/lib/s3-report.ts): ratios in the "how many times better Berth on S3
 * is" direction for throughput, times and memory, and n/a where a server did not run or failed.
 */
import { describe, expect, it } from 'vitest';
import { s3MarkdownTable, s3TextTable, summarizeS3 } from '../bench/lib/s3-report';

const side = (...samples: number[]) => ({ samples, cpuMs: samples.map(() => 10) });

describe('S3 bench report', () => {
  it('divides throughput by the other server and times the other way round, using medians', () => {
    const up = summarizeS3({ id: 'up', title: 'Upload', unit: 'MiB/s', higherIsBetter: true }, { berthS3: side(30, 10, 20), berthFs: side(80), registryS3: side(10) });
    expect(up.sides.berthS3!.median).toBe(20);
    expect(up.s3VsFs).toBe(0.25);
    expect(up.berthVsRegistry).toBe(2);
    const walk = summarizeS3({ id: 'walk', title: 'Walk', unit: 'ms', higherIsBetter: false }, { berthS3: side(5), berthFs: side(1), registryS3: side(50) });
    expect(walk.s3VsFs).toBe(0.2);
    expect(walk.berthVsRegistry).toBe(10);
  });

  it('gives no ratio against a server that did not run or failed, and shows which', () => {
    const row = summarizeS3(
      { id: 'up', title: 'Upload', unit: 'MiB/s', higherIsBetter: true },
      { berthS3: side(20), berthFs: { ...side(), error: 'PUT upload: expected 201, got 500' }, registryS3: null },
    );
    expect(row.s3VsFs).toBeNull();
    expect(row.berthVsRegistry).toBeNull();
    const md = s3MarkdownTable([row], { berthS3: 150, berthFs: 100, registryS3: null });
    expect(md.split('\n')[2]).toBe('| Upload | 20.0 MiB/s | error | n/a | n/a | n/a |');
    // Less memory is better: the filesystem Berth's 100 MB against 150 MB on S3 is 0.67x for S3.
    expect(md.split('\n')[3]).toBe('| Server peak RSS (VmHWM) | 150 MB | 100 MB | n/a | 0.67x | n/a |');
  });

  it('lines the text table up in columns, one line per workload plus memory', () => {
    const rows = [
      summarizeS3({ id: 'a', title: 'A', unit: 'req/s', higherIsBetter: true }, { berthS3: side(312), berthFs: side(13884), registryS3: side(144) }),
      summarizeS3({ id: 'b', title: 'Longer title', unit: 'MiB/s', higherIsBetter: true }, { berthS3: side(6.76), berthFs: side(38.7), registryS3: side(8.22) }),
    ];
    const lines = s3TextTable(rows, { berthS3: 249, berthFs: 124, registryS3: 115 }).split('\n');
    expect(lines).toHaveLength(5);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[3]).toMatch(/^Longer title\s+6\.76 MiB\/s\s+38\.7 MiB\/s\s+8\.22 MiB\/s\s+0\.17x\s+0\.82x$/);
  });
});
