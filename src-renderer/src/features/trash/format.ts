/** The trash in words: references, who deleted an item, how long items stay. */
import type { TrashItem } from '../../../../src-server/contract';
import { shortDigest } from '../../app/format';

/** `7 days`, `1 day`, `12 hours`, `90 minutes`: trash.keep as people say it. */
export function formatKeep(seconds: number): string {
  const unit = (n: number, one: string) => `${n.toLocaleString()} ${one}${n === 1 ? '' : 's'}`;
  if (seconds >= 86_400 && seconds % 86_400 === 0) return unit(seconds / 86_400, 'day');
  if (seconds >= 3_600 && seconds % 3_600 === 0) return unit(seconds / 3_600, 'hour');
  if (seconds >= 60) return unit(Math.round(seconds / 60), 'minute');
  return unit(seconds, 'second');
}

/** `team/app:v1`, `team/app:v1 +2 tags`, or `team/app@sha256:0123456789ab` for an untagged manifest. */
export function itemReference(item: TrashItem): string {
  const [first, ...more] = item.tags;
  if (first === undefined) return `${item.repository}@${shortDigest(item.digest)}`;
  return `${item.repository}:${first}${more.length ? ` +${more.length} ${more.length === 1 ? 'tag' : 'tags'}` : ''}`;
}

/** What restoring the item puts back, in words for a confirmation or a notification. */
export function itemWhat(item: TrashItem): string {
  if (item.kind === 'tag') return `the tag ${item.repository}:${item.tags[0] ?? '?'}`;
  return item.tags.length ? `the image ${item.repository}@${shortDigest(item.digest)} and its tags ${item.tags.join(', ')}` : `the image ${item.repository}@${shortDigest(item.digest)}`;
}

/** How the item came to the trash: `by retention policy nightly`, `by alice in Berth`, `through the registry API`. */
export function itemSource(item: TrashItem): string {
  const by = item.by ? ` by ${item.by}` : '';
  switch (item.source) {
    case 'retention':
      return item.policy ? `by retention policy ${item.policy}` : 'by retention';
    case 'app':
      return item.by ? `by ${item.by} in Berth` : 'in Berth';
    case 'registry-api':
      return `through the registry API${by}`;
    case 'repository-delete':
      return `with its repository${by}`;
  }
}
