/**
 * Repository name and tag grammar.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** Longest repository name accepted (registry:2's limit). */
export const MAX_NAME_LENGTH = 255;

/** True for a valid repository name such as `library/alpine` or `team/app.v2`. */
export function isValidName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
}

/** True for a valid tag such as `latest` or `v1.2.3-rc_1`. */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}
