/**
 * The image screen (`#/browse/<connection>/<repository>/<reference>`): the header (digest, sizes,
 * tags, pull commands), then three views: the overview (one tab per platform with sizes, config,
 * layers and history, and the referrers), the image's Files and its Layers' changes; and copying
 * the image to another connection.
 */
import { Divider, Stack, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { errorCode } from '../../../api/errors';
import { formatBytes } from '../../../app/format';
import { CopyImageModal } from './CopyImageModal';
import { ImageBreadcrumbs, ImageHeader } from './ImageHeader';
import { ImagePlatform } from './ImagePlatform';
import { ImageReferrers } from './ImageReferrers';
import { useRepositoryAccess } from '../../../app/viewer';
import { useImage } from '../queries';
import { FilesTab } from '../../contents/components/FilesTab';
import { LayersTab } from '../../contents/components/LayersTab';

/** One image by tag or digest. */
export function ImageScreen({ connection, repository, reference }: { connection: string; repository: string; reference: string }) {
  const image = useImage(connection, repository, reference);
  const [copying, setCopying] = useState(false);
  const [tab, setTab] = useState('overview');
  // A copy pushes: offered to those who may push here (an administrator may push anywhere).
  const mayCopy = useRepositoryAccess(connection, repository)?.push === true;
  return (
    <Stack gap="lg">
      <ImageBreadcrumbs connection={connection} repository={repository} reference={reference} />
      {image.isPending ? (
        <Loading label="Reading the image…" />
      ) : image.isError ? (
        errorCode(image.error) === 'MANIFEST_UNKNOWN' || errorCode(image.error) === 'NAME_UNKNOWN' ? (
          <Stack>
            <EmptyState title="No such image">
              {repository} has no tag or digest {reference}. It may have been deleted or moved; go back to the repository to see its tags.
            </EmptyState>
            <ErrorAlert error={image.error} />
          </Stack>
        ) : (
          <ErrorAlert error={image.error} />
        )
      ) : (
        <>
          <ImageHeader image={image.data} onCopy={mayCopy ? () => setCopying(true) : undefined} />
          <Divider />
          <Tabs value={tab} onChange={(v) => setTab(v ?? 'overview')} keepMounted={false}>
            <Tabs.List aria-label="Image views" data-testid="image-tabs">
              <Tabs.Tab value="overview" data-testid="image-tab-overview">
                Overview
              </Tabs.Tab>
              <Tabs.Tab value="files" data-testid="image-tab-files">
                Files
              </Tabs.Tab>
              <Tabs.Tab value="layers" data-testid="image-tab-layers">
                Layers
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="overview" pt="md">
              <Stack gap="lg">
                {image.data.platforms.length === 0 ? (
                  <Text c="dimmed">This index lists no platforms.</Text>
                ) : (
                  <Tabs defaultValue="p0" keepMounted={false}>
                    <Tabs.List aria-label="Platforms" data-testid="platform-tabs">
                      {image.data.platforms.map((p, i) => (
                        <Tabs.Tab key={`${p.digest}-${i}`} value={`p${i}`} data-testid={`platform-tab-${p.platform}`}>
                          {p.platform}{' '}
                          <Text span size="xs" c="dimmed">
                            {formatBytes(p.size)}
                          </Text>
                        </Tabs.Tab>
                      ))}
                    </Tabs.List>
                    {image.data.platforms.map((p, i) => (
                      <Tabs.Panel key={`${p.digest}-${i}`} value={`p${i}`} pt="md">
                        <ImagePlatform platform={p} />
                      </Tabs.Panel>
                    ))}
                  </Tabs>
                )}
                <Divider />
                <ImageReferrers image={image.data} />
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="files" pt="md">
              <FilesTab image={{ connection, repository, reference }} platforms={image.data.platforms.map((p) => p.platform)} />
            </Tabs.Panel>
            <Tabs.Panel value="layers" pt="md">
              <LayersTab image={{ connection, repository, reference }} platforms={image.data.platforms.map((p) => p.platform)} />
            </Tabs.Panel>
          </Tabs>
          <CopyImageModal image={image.data} opened={copying} onClose={() => setCopying(false)} />
        </>
      )}
    </Stack>
  );
}
