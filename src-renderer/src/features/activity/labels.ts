/** How the audit log's actions and sources read on screen, and the filters the screen offers. */
import type { AuditAction, AuditEntry } from '../../../../src-server/contract';

/** Each action in words. */
export const ACTION_LABELS: Record<AuditAction, string> = {
  'tag.push': 'Pushed a tag',
  'manifest.push': 'Pushed a manifest',
  'tag.delete': 'Deleted a tag',
  'manifest.delete': 'Deleted an image',
  'blob.delete': 'Deleted a blob',
  'blob.upload': 'Uploaded a blob',
  'repository.delete': 'Deleted a repository',
  'image.copy': 'Copied an image',
  'image.import': 'Imported an image from an archive',
  'sync.run': 'Ran a sync',
  'gc.run': 'Collected garbage',
  'retention.run': 'Applied retention',
  'trash.restore': 'Restored from the trash',
  'trash.empty': 'Emptied the trash',
  'user.add': 'Added a user',
  'user.remove': 'Removed a user',
  'user.password': 'Changed a password',
  'user.access': "Changed a user's rights",
  'user.groups': "Changed a user's groups",
  'anonymous.access': 'Changed anonymous rights',
  'group.add': 'Added a group',
  'group.remove': 'Removed a group',
  'group.access': "Changed a group's rights",
  'login.fail': 'Failed login',
  'settings.change': 'Changed settings',
  'registry.start': 'Started the registry',
  'registry.stop': 'Stopped the registry',
  'cert.regenerate': 'Renewed the certificate',
  'cert.names': 'Changed certificate names',
  'connection.add': 'Added a connection',
  'connection.update': 'Changed a connection',
  'connection.remove': 'Removed a connection',
};

/** Where a change came from, in words. */
export const VIA_LABELS: Record<AuditEntry['via'], string> = {
  registry: 'registry client',
  gui: 'web GUI',
  desktop: 'desktop app',
  cli: 'command line',
};

/** The kinds of entries the screen filters by, as action prefixes. */
export const KINDS: Array<{ value: string; label: string; actions: string[] }> = [
  { value: 'all', label: 'Everything', actions: [] },
  { value: 'content', label: 'Pushes and deletes', actions: ['tag.', 'manifest.', 'blob.', 'repository.', 'image.'] },
  { value: 'storage', label: 'Garbage collection', actions: ['gc.', 'retention.'] },
  { value: 'access', label: 'Users, groups and rights', actions: ['user.', 'group.', 'anonymous.'] },
  { value: 'logins', label: 'Failed logins', actions: ['login.'] },
  { value: 'settings', label: 'Settings and certificates', actions: ['settings.', 'registry.', 'cert.', 'connection.'] },
];

/** The periods the screen filters by, in milliseconds back from now (null: all of it). */
export const PERIODS: Array<{ value: string; label: string; ms: number | null }> = [
  { value: 'hour', label: 'Last hour', ms: 3_600_000 },
  { value: 'day', label: 'Last 24 hours', ms: 86_400_000 },
  { value: 'week', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: 'month', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'all', label: 'All', ms: null },
];
