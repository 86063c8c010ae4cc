/**
 * The token scopes Berth asks a remote registry for (the Docker token spec's
 * `repository:<name>:<actions>`), one per kind of operation.
 */

/** The token scope to pull from a repository. */
export function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}

/** The token scope to push to a repository (docker asks pull with it). */
export function pushScope(repo: string): string {
  return `repository:${repo}:pull,push`;
}

/** The token scope to delete from a repository (Berth's and registry:2's action name). */
export function deleteScope(repo: string): string {
  return `repository:${repo}:delete`;
}
