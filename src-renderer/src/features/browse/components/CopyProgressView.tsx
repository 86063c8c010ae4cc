/** A running copy's progress (bar, counts, rate and time left) and how a copy ended (report, or cancelled). */
import { Alert, Anchor, Progress, Stack, Text } from '@mantine/core';
import type { CopyProgress, CopyReport } from '../../../../../src-server/contract';
import { count, formatBytes, shortDigest } from '../../../app/format';
import { hrefOf } from '../../../app/route';
import { rateLine } from './copyProgress';

const PHASES: Record<CopyProgress['phase'], string> = {
  resolve: 'Reading the manifests',
  blobs: 'Copying blobs',
  manifests: 'Writing the manifests',
  done: 'Done',
};

/** The bar and its lines, fed by `copy:progress` events of this copy. */
export function CopyProgressView({ progress, running }: { progress: CopyProgress | null; running: boolean }) {
  const pct = progress && progress.bytesTotal > 0 ? Math.min(100, (progress.bytesDone / progress.bytesTotal) * 100) : progress?.phase === 'done' ? 100 : 0;
  const indeterminate = running && (!progress || progress.bytesTotal === 0);
  const rate = running ? rateLine(progress) : null;
  return (
    <Stack gap={4} data-testid="copy-progress">
      <Progress value={indeterminate ? 100 : pct} animated={indeterminate || running} aria-label="Copy progress" />
      <Text size="sm" c="dimmed" data-testid="copy-progress-text">
        {progress ? (
          <>
            {PHASES[progress.phase]}: {formatBytes(progress.bytesDone)} of {formatBytes(progress.bytesTotal)}, {progress.blobsDone} of {count(progress.blobsTotal, 'blob')}
            {progress.current && progress.phase === 'blobs' ? ` (${shortDigest(progress.current)})` : ''}
          </>
        ) : running ? (
          'Starting…'
        ) : null}
      </Text>
      {rate && (
        <Text size="sm" c="dimmed" data-testid="copy-rate">
          {rate}
        </Text>
      )}
    </Stack>
  );
}

/** What a finished copy did, with a link to the copy. */
export function CopyResult({ report, connection, repository }: { report: CopyReport; connection: string; repository: string }) {
  const reference = report.target.includes('@') ? report.digest : (report.target.split(':').pop() ?? report.digest);
  const refs = report.referrers;
  return (
    <Alert color="green" title="Copied" data-testid="copy-result">
      <Stack gap={4}>
        <Text size="sm">
          <Anchor href={hrefOf({ screen: 'image', connection, repository, reference })}>{report.target}</Anchor> ({shortDigest(report.digest)})
          {report.replaced && `; replaced ${shortDigest(report.replaced)}, which the tag held before`}
        </Text>
        <Text size="sm">
          {count(report.blobsCopied, 'blob')} copied, {report.blobsMounted} mounted, {report.blobsSkipped} already there; {formatBytes(report.bytesCopied)} transferred,{' '}
          {count(report.manifests, 'manifest')}, in {(report.durationMs / 1000).toFixed(1)} s.
        </Text>
        {refs && (
          <Text size="sm" data-testid="copy-result-referrers">
            {count(refs.copied, 'referrer')} copied
            {refs.leftOut > 0 && `, ${refs.leftOut} left out (more than one copy takes)`}
            {refs.fallbackTags > 0 && `; the target has no referrers API, so they are listed under ${count(refs.fallbackTags, 'fallback tag')} (sha256-…)`}.
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

/** A copy the user cancelled: the server's own account of what stayed. */
export function CopyCancelled({ message }: { message: string }) {
  return (
    <Alert color="yellow" title="Copy cancelled" data-testid="copy-cancelled">
      {message}
    </Alert>
  );
}
