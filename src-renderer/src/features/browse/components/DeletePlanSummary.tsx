/**
 * The totals of a delete plan, first and short whatever the selection's size: how many tags go,
 * what becomes of the images, what a garbage collection then frees, how the registry deletes, and
 * the tags that go or are left out although the user did not choose so.
 */
import { Alert, Stack, Text } from '@mantine/core';
import type { TagsDeletePlan } from '../../../../../src-server/contract';
import { count, formatBytes } from '../../../app/format';
import { formatKeep } from '../../trash/format';

/** `a, b, c and 7 more`: at most `max` names. */
export function someNames(names: readonly string[], max = 12): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${(names.length - max).toLocaleString()} more`;
}

/** Tags not selected that go with their manifests, over the whole plan. */
export function alsoDeletedOf(plan: TagsDeletePlan): string[] {
  return plan.images.flatMap((i) => i.alsoDeleted);
}

/** Unresolved tags that may go with a deleted manifest (not selected ones, which are left alone). */
export function atRiskOf(plan: TagsDeletePlan, selected: readonly string[]): string[] {
  if (plan.method !== 'manifest' && plan.method !== 'unknown') return [];
  const chosen = new Set(selected);
  return plan.unresolved.filter((t) => !chosen.has(t));
}

/** What becomes of the images, in a few words. */
function imagesLine(plan: TagsDeletePlan): string {
  const { images, untagged, deleted } = plan.totals;
  const tagged = images - untagged - deleted;
  if (images > 0 && deleted === images) return `${count(images, 'image')} deleted`;
  const parts = [
    ...(tagged ? [`${tagged.toLocaleString()} ${tagged === 1 ? 'keeps' : 'keep'} other tags`] : []),
    ...(untagged ? [`${untagged.toLocaleString()} left untagged`] : []),
    ...(deleted ? [`${deleted.toLocaleString()} deleted`] : []),
  ];
  return `${count(images, 'image')}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * What a garbage collection frees afterwards. With a trash (the local registry: `keepSeconds`
 * known), deleted tags stay restorable and GC frees what they need only once they leave it.
 */
function spaceLine(plan: TagsDeletePlan, keepSeconds: number | null): string {
  const bytes = plan.totals.reclaimable;
  if (bytes !== null && keepSeconds !== null) {
    const trash = `Deleted tags go to Recently deleted and can be restored for ${formatKeep(keepSeconds)}.`;
    if (plan.totals.untagged === 0 && plan.totals.deleted === 0) return `${trash} No image is left untagged: a garbage collection frees nothing more.`;
    return bytes > 0
      ? `${trash} A garbage collection that deletes untagged manifests frees ${formatBytes(bytes)} only after they leave the trash.`
      : `${trash} A garbage collection frees nothing: tagged images (here or in other repositories) still use all of it.`;
  }
  if (bytes !== null) {
    if (plan.totals.untagged === 0) return 'No image is left untagged: a garbage collection frees nothing more.';
    return bytes > 0
      ? `A garbage collection that deletes untagged manifests then frees ${formatBytes(bytes)}.`
      : 'A garbage collection frees nothing: tagged images (here or in other repositories) still use all of it.';
  }
  return plan.method === 'tag'
    ? 'Space freed: unknown on this registry (untagged images stay until its own garbage collection).'
    : "Space freed: unknown on this registry (its own garbage collection frees what the deleted manifests leave).";
}

/**
 * The plan's totals and warnings (`selected`: the tags the user chose; `trashKeepSeconds`: how long
 * the local registry's trash keeps them, null elsewhere or while unknown).
 */
export function DeletePlanSummary({ plan, selected, trashKeepSeconds = null }: { plan: TagsDeletePlan; selected: readonly string[]; trashKeepSeconds?: number | null }) {
  const also = alsoDeletedOf(plan);
  const chosen = new Set(selected);
  const atRisk = atRiskOf(plan, selected);
  const unchecked = plan.unresolved.filter((t) => chosen.has(t));
  const guessing = plan.method === 'unknown';
  return (
    <Stack gap="sm">
      {plan.method !== 'unsupported' && (
        <Stack gap={2} data-testid="delete-summary">
          <Text>
            <Text span fw={700}>
              Deletes {count(plan.totals.tags, 'tag')}
            </Text>{' '}
            · {imagesLine(plan)}
          </Text>
          <Text size="sm" c="dimmed">
            {spaceLine(plan, trashKeepSeconds)}
          </Text>
        </Stack>
      )}
      {plan.method === 'unsupported' ? (
        <Alert color="red" variant="light" data-testid="delete-tags-unsupported" title="Nothing can be deleted here">
          {plan.methodReason}
        </Alert>
      ) : (
        <Text size="sm" c={plan.method === 'tag' ? 'dimmed' : 'orange'} data-testid="delete-method">
          {plan.methodReason}
        </Text>
      )}
      {also.length > 0 && (
        <Alert color="orange" variant="light" p="xs" data-testid="delete-also">
          {guessing ? 'Not selected, deleted too if the registry deletes whole manifests: ' : 'Not selected, deleted too: '}
          {someNames(also, 20)}
        </Alert>
      )}
      {atRisk.length > 0 && (
        <Alert color="orange" variant="light" p="xs" data-testid="delete-unresolved">
          Could not be checked (the registry did not answer for them); any that point at a deleted image go with it: {someNames(atRisk, 20)}
        </Alert>
      )}
      {unchecked.length > 0 && (
        <Text size="sm" c="orange" data-testid="delete-unchecked">
          Could not be checked, so not deleted: {someNames(unchecked, 20)}
        </Text>
      )}
      {plan.missing.length > 0 && (
        <Text size="sm" c="dimmed" data-testid="delete-missing">
          Not in the repository any more, nothing to delete: {someNames(plan.missing, 20)}
        </Text>
      )}
    </Stack>
  );
}
