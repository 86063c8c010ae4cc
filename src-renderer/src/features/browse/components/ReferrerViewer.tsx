/**
 * A referrer opened from the image screen: its facts, a summary of each known format, its manifest
 * and its content as pretty-printed JSON. Everything came from a registry and is shown as text
 * (React text nodes), never as markup.
 */
import { Code, Divider, Group, Modal, ScrollArea, Stack, Text, Title } from '@mantine/core';
import type { ReferrerBlob, ReferrerContent } from '../../../../../src-server/contract';
import { ErrorAlert, Loading } from '../../../app/common';
import { formatBytes, shortDigest } from '../../../app/format';
import { useReferrer } from './ImageScreen.queries';
import { ReferrerSummaryView } from './ReferrerSummaryView';

/** The viewer of `digest` (closed while null); `title` names it until it is read. */
export function ReferrerViewer({ connection, repository, digest, title, onClose }: { connection: string; repository: string; digest: string | null; title: string; onClose: () => void }) {
  const referrer = useReferrer(connection, repository, digest);
  return (
    <Modal opened={digest !== null} onClose={onClose} title={title} size="xl">
      {referrer.isPending ? <Loading label="Reading the referrer…" /> : referrer.isError ? <ErrorAlert error={referrer.error} /> : <ReferrerBody r={referrer.data} />}
    </Modal>
  );
}

function ReferrerBody({ r }: { r: ReferrerContent }) {
  return (
    <Stack gap="md" data-testid="referrer-viewer">
      <Group gap="lg">
        <Text size="sm">
          <Text span c="dimmed">
            Digest{' '}
          </Text>
          <Text span ff="monospace">
            {r.digest}
          </Text>
        </Text>
        <Text size="sm">
          <Text span c="dimmed">
            Size{' '}
          </Text>
          {formatBytes(r.size)}
        </Text>
        {r.subject && (
          <Text size="sm">
            <Text span c="dimmed">
              Refers to{' '}
            </Text>
            <Text span ff="monospace" title={r.subject}>
              {shortDigest(r.subject)}
            </Text>
          </Text>
        )}
      </Group>
      {r.blobs.map((b) => b.summary && <ReferrerSummaryView key={`s-${b.digest}`} summary={b.summary} />)}
      <Divider />
      <Title order={5}>Manifest</Title>
      {r.manifest === null ? (
        <Text c="dimmed">The manifest is too large to show here (over {formatBytes(r.limit)}).</Text>
      ) : (
        <JsonText testId="referrer-manifest" text={r.manifest} />
      )}
      {r.blobs.map((b) => (
        <BlobView key={b.digest} blob={b} limit={r.limit} />
      ))}
    </Stack>
  );
}

const NOT_SHOWN: Record<NonNullable<ReferrerBlob['notShown']>, (limit: number) => string> = {
  'too-large': (limit) => `too large to show here (over ${formatBytes(limit)})`,
  binary: () => 'binary content, not shown',
  missing: () => 'the registry does not have this blob',
  invalid: () => 'the registry sent content that does not match its digest: not shown',
  'not-read': () => 'not read (only the first blobs of a referrer are)',
};

function BlobView({ blob, limit }: { blob: ReferrerBlob; limit: number }) {
  return (
    <Stack gap={4} data-testid="referrer-blob">
      <Group gap="xs">
        <Title order={6}>{blob.mediaType}</Title>
        <Text size="xs" c="dimmed" ff="monospace" title={blob.digest}>
          {shortDigest(blob.digest)}
        </Text>
        <Text size="xs" c="dimmed">
          {formatBytes(blob.size)}
        </Text>
      </Group>
      {Object.keys(blob.annotations).length > 0 && (
        <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {Object.entries(blob.annotations)
            .map(([k, v]) => `${k}=${v}`)
            .join('\n')}
        </Code>
      )}
      {blob.text !== null ? <JsonText text={blob.text} /> : <Text size="sm" c="dimmed">{NOT_SHOWN[blob.notShown ?? 'binary'](limit)}</Text>}
    </Stack>
  );
}

/** Text in a scrolling block: a text node, so markup in it is shown, never run. */
function JsonText({ text, testId }: { text: string; testId?: string }) {
  return (
    <ScrollArea.Autosize mah={360} type="auto">
      <Code block data-testid={testId} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {text}
      </Code>
    </ScrollArea.Autosize>
  );
}
