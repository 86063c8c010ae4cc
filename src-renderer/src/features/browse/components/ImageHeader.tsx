/** The image screen's header: where it is, its digest, sizes, sibling tags, origin and pull commands. */
import { Anchor, Badge, Breadcrumbs, Button, Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { ImageDetails } from '../../../../../src-server/contract';
import { CopyField, CopyIconButton } from '../../../app/common';
import { formatBytes, formatDate, shortDigest } from '../../../app/format';
import { useConnections } from '../../../app/queries';
import { hrefOf } from '../../../app/route';
import { dockerNeedsInsecure, PULL_CLIENTS, pullByTag, pullCommand, pullHostOf, transportOf, type PullClient } from './ImagePull';

/** Breadcrumbs connection › repository › reference (links to the repositories and tags screens). */
export function ImageBreadcrumbs({ connection, repository, reference }: { connection: string; repository: string; reference: string }) {
  const connections = useConnections();
  const name = connections.data?.find((c) => c.id === connection)?.name ?? connection;
  return (
    <Breadcrumbs aria-label="Breadcrumbs" separator="›">
      <Anchor href={hrefOf({ screen: 'repositories', connection })}>{name}</Anchor>
      <Anchor href={hrefOf({ screen: 'tags', connection, repository })}>{repository}</Anchor>
      <Text span ff="monospace">
        {shortReference(reference)}
      </Text>
    </Breadcrumbs>
  );
}

function shortReference(reference: string): string {
  return reference.includes(':') ? shortDigest(reference) : reference;
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={2} data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <div>{children}</div>
    </Stack>
  );
}

/** Pull commands by tag and by digest for docker, podman or skopeo, as this connection is reached. */
function PullCommands({ image, byTag }: { image: ImageDetails; byTag: string | null }) {
  const connections = useConnections();
  const [client, setClient] = useState<PullClient>('docker');
  const transport = transportOf(connections.data?.find((c) => c.id === image.connection)?.url);
  const host = pullHostOf(image);
  return (
    <Stack gap="xs" data-testid="image-pull-commands">
      <Group gap="sm">
        <Text size="sm" fw={500}>
          Pull with
        </Text>
        <SegmentedControl size="xs" aria-label="Pull client" data-testid="pull-client" value={client} onChange={(v) => setClient(v as PullClient)} data={[...PULL_CLIENTS]} />
      </Group>
      {byTag && (
        <div data-testid="pull-by-tag">
          <Text size="sm" fw={500}>
            Pull by tag
          </Text>
          <CopyField value={pullCommand(client, byTag, transport)} label="pull command by tag" />
        </div>
      )}
      <div data-testid="pull-by-digest">
        <Text size="sm" fw={500}>
          Pull by digest
        </Text>
        <CopyField value={pullCommand(client, image.pullByDigest, transport)} label="pull command by digest" />
      </div>
      {client === 'docker' && dockerNeedsInsecure(host, transport) && (
        <Text size="xs" c="dimmed" data-testid="pull-docker-insecure">
          This registry is plain HTTP: docker pulls from it only once {host} is listed under insecure-registries in its daemon.json (or use the HTTPS
          address with Berth's CA installed).
        </Text>
      )}
    </Stack>
  );
}

/** The header above the platform tabs; `onCopy` opens the copy dialog (no copy button without it). */
export function ImageHeader({ image, onCopy }: { image: ImageDetails; onCopy?: () => void }) {

  const byTag = pullByTag(image);
  const others = image.tags.filter((t) => t !== image.reference);
  const origin = image.origin;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Title order={2} style={{ overflowWrap: 'anywhere' }}>
          {image.repository}
          {image.reference.includes(':') ? `@${shortDigest(image.reference)}` : `:${image.reference}`}
        </Title>
        {onCopy && (
          <Button onClick={onCopy} aria-label="Copy to another connection" data-testid="image-copy-open">
            Copy to another connection…
          </Button>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
        <Fact label="Digest" testId="image-digest">
          <Group gap={4} wrap="nowrap">
            <Text ff="monospace" size="sm" title={image.digest}>
              {shortDigest(image.digest)}
            </Text>
            <CopyIconButton value={image.digest} label="Copy digest" tooltip="Copy the full digest" />
          </Group>
        </Fact>
        <Fact label="Media type" testId="image-media-type">
          <Text size="sm" ff="monospace" truncate="end" title={image.mediaType}>
            {image.mediaType}
          </Text>
        </Fact>
        <Fact label="Total size" testId="image-total-size">
          <Text size="sm">
            {formatBytes(image.totalBytes)}
            {image.isIndex && ` over ${image.platforms.length} platform${image.platforms.length === 1 ? '' : 's'}`}
          </Text>
        </Fact>
        <Fact label="Shared between platforms" testId="image-shared-bytes">
          <Text size="sm">{formatBytes(image.sharedBytes)}</Text>
        </Fact>
        <Fact label="Other tags on this digest" testId="image-other-tags">
          {others.length === 0 ? (
            <Text size="sm" c="dimmed">
              none
            </Text>
          ) : (
            <Group gap={4}>
              {others.map((t) => (
                <Badge key={t} variant="light" component="a" href={hrefOf({ screen: 'image', connection: image.connection, repository: image.repository, reference: t })} style={{ cursor: 'pointer', textTransform: 'none' }}>
                  {t}
                </Badge>
              ))}
            </Group>
          )}
        </Fact>
        {origin && (
          <Fact label="Origin" testId="image-origin">
            <Text size="sm">
              {origin.source === 'pushed' ? 'Pushed' : origin.source === 'cached' ? `Cached from ${origin.upstream ?? 'an upstream'}` : 'Unknown'}
              {origin.at && `, ${formatDate(origin.at)}`}
            </Text>
          </Fact>
        )}
      </SimpleGrid>
      <PullCommands image={image} byTag={byTag} />
    </Stack>
  );
}
