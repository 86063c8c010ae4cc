/**
 * Administration of the local registry: users and rights, certificates, settings, start/stop.
 */

/** One user. Rules are in the text form `berth user` takes: `pull@*,push@team/*`. */
export interface UserDto {
  name: string;
  /** The user's own rights; the rights of their groups come on top. */
  rules: string;
  /** The groups the user is in, in the order given. */
  groups: string[];
  /** False for a user in the access file with no password (cannot log in). */
  hasPassword: boolean;
}

/** One group: its rights are every member's too. */
export interface GroupDto {
  name: string;
  rules: string;
  /** The users in it, in user order. */
  members: string[];
}

/** `groups:remove`: the users who were in the group and lost its rights. */
export interface GroupRemoveResult {
  members: string[];
}

/** What the calling user may do in one repository of the local registry (`access:repository`). */
export interface RepositoryAccess {
  pull: boolean;
  push: boolean;
  delete: boolean;
  /** `admin@*`: every screen and action of the GUI. */
  admin: boolean;
}

/** `users:list`. */
export interface UsersListing {
  users: UserDto[];
  /** What anonymous clients may do (empty: nothing). */
  anonymous: string;
  /** False while there is no access file: every htpasswd user has every right (registry:2 behaviour). */
  accessFileExists: boolean;
  /** How the registry asks clients to log in: `basic`, `token` or `none` (auth off). */
  authMode: 'basic' | 'token' | 'none';
}

/** A certificate file as shown. */
export interface CertificateDto {
  subject: string;
  issuer: string;
  names: string[];
  validFrom: string;
  validTo: string;
  daysLeft: number;
  fingerprintSha256: string;
  path: string;
}

/** `cert:info`. */
export interface CertificatesInfo {
  mode: 'generated' | 'provided';
  ca: CertificateDto | null;
  server: CertificateDto | null;
  /** Names the user added (DNS names, IPs, wildcards). */
  extraNames: string[];
  /** Every SAN a generated certificate should carry now. */
  wantedNames: string[];
  /** Why a regeneration is due, if it is. */
  renewalDue: string[];
  /** The HTTPS listener's URL when one runs. */
  tlsUrl: string | null;
  /**
   * What the CA may vouch for (its X.509 name constraints): DNS names (each with its subdomains) and
   * address ranges. Null without a CA, or for a CA without constraints.
   */
  caScope: { dns: string[]; ip: string[] } | null;
  /** True for a CA Berth made before it set name constraints: it could vouch for any site. */
  caUnconstrained: boolean;
  /** Names the server certificate should carry but leaves out: the CA may not vouch for them. */
  outsideCa: string[];
}

/**
 * `cert:regenerate`: replaces the stored extra names (when given) and issues a new server
 * certificate. Names outside what the CA may vouch for are refused (`OUTSIDE_CA`, the names in
 * `detail.outside`) unless `newCa`: then a new CA covering them is made too, which every client must
 * trust again.
 */
export interface CertRegenerateArgs {
  extraNames?: string[];
  newCa?: boolean;
}

/** One way to install the CA on a client. */
export interface InstallCommand {
  /**
   * Stable id: `docker`, `containerd`, `podman`, `macos`, `windows` (the registry's own places), `debian`, `rhel`,
   * `alpine`, `arch`, `macos-system`, `windows-system` (the OS trust stores, every program), `login`, `insecure`.
   */
  id: string;
  label: string;
  /** Shell (or PowerShell) to paste. */
  command: string;
}

/** `cert:bundle`: the client bundle for `host` (`HOST:PORT`), as bytes the GUI offers for download. */
export interface CertBundle {
  fileName: string;
  /** The tar.gz archive, base64. */
  base64: string;
  size: number;
  sha256: string;
  /**
   * Why clients dialing `host` will refuse the server certificate (it does not name the host) and
   * how to add the name; the bundle's README says the same. Null when the certificate names it.
   */
  notCovered: string | null;
}

/** Settings of the local registry. Changes to listen addresses and storage apply at the next start. */
export interface LocalSettings {
  /** `HOST:PORT` of the HTTP listener. */
  listen: string;
  /** `HOST:PORT` of the HTTPS listener, or null for none. */
  tlsListen: string | null;
  dataDir: string;
  /** Upstream of the pull-through cache, or null. */
  proxy: { remoteUrl: string; username: string | null } | null;
  deleteEnabled: boolean;
  authMode: 'basic' | 'token' | 'none';
  /**
   * The settings a flag, the environment or the config file sets, each with where (e.g. `set by
   * the --listen flag`): shown as they run, and `settings:set` refuses to change them.
   */
  fixed?: Partial<Record<'listen' | 'tlsListen' | 'deleteEnabled' | 'proxy', string>>;
}

/** `settings:set`: fields to change (proxy null removes the upstream; a proxy password goes to the secret store). */
export interface LocalSettingsPatch {
  listen?: string;
  tlsListen?: string | null;
  proxy?: { remoteUrl: string; username?: string | null; password?: string | null } | null;
  deleteEnabled?: boolean;
}

/** `settings:set`'s answer. */
export interface LocalSettingsResult {
  settings: LocalSettings;
  /** True when a change takes effect only after a restart of the registry. */
  restartRequired: boolean;
}
