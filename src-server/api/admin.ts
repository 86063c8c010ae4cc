/**
 * Handlers and payload checks of the local registry's administration: users, groups and rights
 * (the htpasswd and access files, through auth/users and auth/groups) and certificates (tls/store
 * and the client bundle).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_PASSWORD_LENGTH, type CertificateDto, type CertificatesInfo, type GroupDto, type InstallCommand, type UserDto, type UsersListing } from '../contract';
import { RegistryError, type ErrorCode } from '../core/errors';
import { InvalidCredentialError, validateNewPassword, validateUserName } from '../auth/htpasswd-store';
import type { AuthPaths } from '../auth/init';
import { formatRules, parseRules } from '../auth/rules';
import { addGroup, removeGroup, setGroupRights } from '../auth/groups';
import { addUser, listAccess, removeUser, setAnonymous, setPassword, setRights, setUserGroups, UserError, type UserErrorReason } from '../auth/users';
import { certificateCovers, defaultBundleName, notCoveredNote, writeClientBundle } from '../tls/bundle';
import { CertificateError, OutsideCaError } from '../tls/errors';
import { InvalidNamesError } from '../tls/names';
import { parseRegistryHost, type RegistryHost } from '../tls/registry-host';
import type { CertificateFileInfo, CertificateStore } from '../tls/store';
import { ArgsError, fieldName, none, object, optionalBoolean, optionalString, optionalStringArray, requiredString, type Checks } from './args-kit';
import type { CoreHandler } from './handler-types';

/** The channels of this area. */
export type AdminChannel = 'users:list' | 'users:add' | 'users:remove' | 'users:set-password' | 'users:set-rights' | 'users:set-anonymous' | 'users:initial-password' | 'users:set-groups' | 'groups:list' | 'groups:add' | 'groups:remove' | 'groups:set-access' | 'cert:info' | 'cert:regenerate' | 'cert:bundle' | 'cert:install-commands';

/** The channels of this area, at run time. */
export const ADMIN_CHANNELS: readonly AdminChannel[] = ['users:list', 'users:add', 'users:remove', 'users:set-password', 'users:set-rights', 'users:set-anonymous', 'users:initial-password', 'users:set-groups', 'groups:list', 'groups:add', 'groups:remove', 'groups:set-access', 'cert:info', 'cert:regenerate', 'cert:bundle', 'cert:install-commands'];

/** What the administration handlers work on. */
export interface AdminDeps {
  /** The htpasswd and access files the server reads (it re-reads them on change: no restart). */
  authPaths: AuthPaths;
  authMode: 'basic' | 'token' | 'none';
  /**
   * The admin password generated at this start, if one was: handed out by `users:initial-password`
   * once, then forgotten. The object is emptied in place.
   */
  initialPassword?: { user: string; password: string } | null;
  certificates: CertificateStore;
  /** The HTTPS listener's URL, when one runs. */
  tlsUrl?: () => string | null;
  /** Installs the store's current certificate into the running HTTPS listener (tls/renewal's check). */
  reloadCertificate?: () => Promise<unknown>;
  /** Called after a user change, so the server reads the files at once rather than within a second. */
  onUsersChanged?: () => void;
}

/** The API code of each reason a user or group change is refused. */
const USER_ERROR_CODES: Record<UserErrorReason, ErrorCode> = {
  'user-unknown': 'USER_UNKNOWN',
  'user-exists': 'USER_EXISTS',
  'rules-invalid': 'RULES_INVALID',
  'group-unknown': 'GROUP_UNKNOWN',
  'group-exists': 'GROUP_EXISTS',
  'group-name-invalid': 'GROUP_NAME_INVALID',
  'name-taken': 'NAME_TAKEN',
  'last-admin': 'LAST_ADMIN',
};

/** Runs a user-file change, mapping its failures to the codes the GUI tells apart. */
async function userChange<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    if (err instanceof InvalidCredentialError) {
      if (/user name|anonymous/.test(err.message)) throw new RegistryError('USER_NAME_INVALID', { message: err.message });
      throw new RegistryError('PASSWORD_INVALID', { message: err.message, detail: { minLength: MIN_PASSWORD_LENGTH } });
    }
    if (err instanceof UserError) throw new RegistryError(USER_ERROR_CODES[err.reason], { message: err.message });
    throw err;
  }
}

/** Checks a rules text before anything is written. */
function checkRules(text: string, whose: string): void {
  try {
    parseRules(text);
  } catch (err) {
    throw new RegistryError('RULES_INVALID', { message: `invalid rights for ${whose}: ${(err as Error).message}`, detail: { rules: text } });
  }
}

async function certificateCall<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OutsideCaError) throw new RegistryError('OUTSIDE_CA', { message: err.message, detail: { outside: err.outside } });
    // Each bad name with its reason, so the GUI can mark every one.
    if (err instanceof InvalidNamesError) throw new RegistryError('CERTIFICATE_INVALID', { message: err.message, detail: { invalid: err.invalid } });
    if (err instanceof CertificateError) throw new RegistryError('CERTIFICATE_INVALID', { message: err.message });
    throw err;
  }
}

function certDto(f: CertificateFileInfo | null): CertificateDto | null {
  if (!f) return null;
  return {
    subject: f.subject,
    issuer: f.issuer,
    names: f.names,
    validFrom: f.notBefore,
    validTo: f.notAfter,
    daysLeft: f.daysLeft,
    fingerprintSha256: f.sha256,
    path: f.path,
  };
}

/**
 * The commands the GUI shows, one per client, to trust the CA (`ca.crt` from the bundle, in the
 * current folder) for `reg`. The per-registry places of docker, containerd, podman and Docker
 * Desktop come first; the OS trust stores (every program on the machine then trusts the CA) are
 * separate entries, for when they are needed. `reg` was validated by parseRegistryHost, so it is
 * safe in quotes.
 */
export function installCommands(reg: RegistryHost): InstallCommand[] {
  const a = reg.authority;
  const trust = `berth-${reg.slug}.crt`;
  const winDir = a.replace(/[:[\]]/g, '');
  const copyTo = (dir: string) => `sudo mkdir -p '${dir}' && sudo cp ca.crt '${dir}/ca.crt'`;
  const hostsToml = `server = "https://${a}"\\n\\n[host."https://${a}"]\\n  ca = "/etc/containerd/certs.d/${a}/ca.crt"\\n`;
  const everyProgram = (os: string, store: string) => `${os}: every program (${store}, only if needed)`;
  return [
    { id: 'docker', label: 'Docker (Linux)', command: copyTo(`/etc/docker/certs.d/${a}`) },
    {
      id: 'containerd',
      label: 'containerd (ctr, nerdctl, Kubernetes CRI)',
      command: `${copyTo(`/etc/containerd/certs.d/${a}`)} && printf '${hostsToml}' | sudo tee '/etc/containerd/certs.d/${a}/hosts.toml' >/dev/null`,
    },
    { id: 'podman', label: 'Podman, skopeo, buildah', command: copyTo(`/etc/containers/certs.d/${a}`) },
    { id: 'macos', label: 'macOS (Docker Desktop)', command: `mkdir -p ~/'.docker/certs.d/${a}' && cp ca.crt ~/'.docker/certs.d/${a}/ca.crt'` },
    {
      id: 'windows',
      label: 'Windows (Docker, PowerShell as administrator)',
      command: `New-Item -ItemType Directory -Force "$env:ProgramData\\docker\\certs.d\\${winDir}" | Out-Null; Copy-Item .\\ca.crt "$env:ProgramData\\docker\\certs.d\\${winDir}\\ca.crt"`,
    },
    { id: 'debian', label: everyProgram('Debian, Ubuntu', 'system trust store'), command: `sudo cp ca.crt '/usr/local/share/ca-certificates/${trust}' && sudo update-ca-certificates` },
    { id: 'rhel', label: everyProgram('RHEL, Fedora, CentOS', 'system trust store'), command: `sudo cp ca.crt '/etc/pki/ca-trust/source/anchors/${trust}' && sudo update-ca-trust` },
    { id: 'alpine', label: everyProgram('Alpine', 'system trust store'), command: `sudo apk add ca-certificates && sudo cp ca.crt '/usr/local/share/ca-certificates/${trust}' && sudo update-ca-certificates` },
    { id: 'arch', label: everyProgram('Arch', 'system trust store'), command: `sudo cp ca.crt '/etc/ca-certificates/trust-source/anchors/${trust}' && sudo trust extract-compat` },
    { id: 'macos-system', label: everyProgram('macOS', 'System keychain'), command: 'sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ca.crt' },
    { id: 'windows-system', label: everyProgram('Windows', 'root store, PowerShell as administrator'), command: 'Import-Certificate -FilePath .\\ca.crt -CertStoreLocation Cert:\\LocalMachine\\Root' },
    { id: 'login', label: 'Log in', command: `docker login ${a}` },
    {
      id: 'insecure',
      label: 'Insecure instead (less safe: skips certificate checks)',
      command: `podman pull --tls-verify=false ${a}/IMAGE   # docker: add "insecure-registries": ["${a}"] to /etc/docker/daemon.json`,
    },
  ];
}

/** Builds the handlers of the administration channels. */
export function createAdminHandlers(deps: AdminDeps): { [C in AdminChannel]: CoreHandler<C> } {
  const paths = deps.authPaths;
  const listing = (): UsersListing => {
    const l = listAccess(paths);
    return {
      users: l.users.map((u) => ({ name: u.name, rules: formatRules(u.rules), groups: u.groups, hasPassword: u.hasPassword })),
      anonymous: formatRules(l.anonymous),
      accessFileExists: l.accessFileExists,
      authMode: deps.authMode,
    };
  };
  const userDto = (name: string): UserDto => {
    const u = listing().users.find((x) => x.name === name);
    if (!u) throw new RegistryError('USER_UNKNOWN', { message: `no such user: ${name}`, detail: { name } });
    return u;
  };
  const groups = (): GroupDto[] => listAccess(paths).groups.map((g) => ({ name: g.name, rules: formatRules(g.rules), members: g.members }));
  const groupDto = (name: string): GroupDto => {
    const g = groups().find((x) => x.name === name);
    if (!g) throw new RegistryError('GROUP_UNKNOWN', { message: `no such group: ${name}`, detail: { name } });
    return g;
  };
  // A user added from the GUI can push at once: the server re-reads the files now.
  const changed = <T>(fn: () => Promise<T> | T): Promise<T> => userChange(fn).finally(() => deps.onUsersChanged?.());
  const store = deps.certificates;
  const info = (): CertificatesInfo => {
    const i = store.info();
    return {
      mode: i.mode,
      ca: certDto(i.ca),
      server: certDto(i.server),
      extraNames: i.extraNames,
      wantedNames: i.wantedNames,
      renewalDue: i.renewalDue,
      tlsUrl: deps.tlsUrl?.() ?? null,
      caScope: i.caConstraints ? { dns: i.caConstraints.dns, ip: i.caConstraints.ip } : null,
      caUnconstrained: i.caUnconstrained,
      outsideCa: i.outsideCa,
    };
  };
  return {
    'users:list': async () => listing(),
    'users:add': ({ name, password, rules, groups: memberOf }) =>
      changed(async () => {
        validateUserName(name);
        validateNewPassword(password);
        checkRules(rules ?? '', name);
        await addUser(paths, name, password, rules ?? '', memberOf ?? []);
        return userDto(name);
      }),
    'users:remove': ({ name }) => changed(() => removeUser(paths, name)),
    'users:set-password': ({ name, password }) =>
      changed(async () => {
        validateNewPassword(password);
        await setPassword(paths, name, password);
      }),
    'users:set-rights': ({ name, rules }) =>
      changed(async () => {
        checkRules(rules, name);
        await setRights(paths, name, rules);
        return userDto(name);
      }),
    'users:set-anonymous': ({ rules }) =>
      changed(async () => {
        checkRules(rules, 'anonymous');
        await setAnonymous(paths, rules);
        return listing();
      }),
    'users:set-groups': ({ name, groups: memberOf }) =>
      changed(async () => {
        await setUserGroups(paths, name, memberOf);
        return userDto(name);
      }),
    'groups:list': async () => groups(),
    'groups:add': ({ name, rules }) =>
      changed(async () => {
        await addGroup(paths, name, rules ?? '');
        return groupDto(name);
      }),
    'groups:remove': ({ name }) => changed(() => removeGroup(paths, name)),
    'groups:set-access': ({ name, rules }) =>
      changed(async () => {
        await setGroupRights(paths, name, rules);
        return groupDto(name);
      }),
    'users:initial-password': async () => {
      const p = deps.initialPassword;
      if (!p || !p.password) return null;
      const out = { user: p.user, password: p.password };
      // Forgotten after this answer: the GUI shows it once, as the terminal did.
      p.password = '';
      deps.initialPassword = null;
      return out;
    },
    'cert:info': () => certificateCall(info),
    'cert:regenerate': ({ extraNames, newCa }) =>
      certificateCall(async () => {
        await store.regenerate({ names: extraNames, newCa });
        // A running HTTPS listener takes the new certificate for new connections at once.
        await deps.reloadCertificate?.();
        return info();
      }),
    'cert:bundle': ({ host }) =>
      certificateCall(async () => {
        const reg = parseRegistryHost(host);
        if (store.provided) {
          throw new CertificateError('the certificate is provided by configuration (http.tls): give clients the CA that signed it (berth cert bundle --ca FILE)');
        }
        const m = await store.ensure();
        // ensure() may just have made the CA and certificate: a running HTTPS listener takes them.
        if (m.changed) await deps.reloadCertificate?.();
        const notCovered = certificateCovers(m.cert, reg.host) ? null : notCoveredNote(reg, store.caCovers(reg.host) ? 'add' : 'new-ca');
        const dir = mkdtempSync(join(tmpdir(), 'berth-ui-bundle-'));
        try {
          const fileName = defaultBundleName(host);
          const b = await writeClientBundle({ caPem: m.ca!, host, out: join(dir, fileName), notCovered });
          // A few KiB: the GUI receives it as base64 inside the envelope.
          const bytes = readFileSync(b.path);
          return { fileName, base64: bytes.toString('base64'), size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), notCovered };
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    'cert:install-commands': ({ host }) => certificateCall(() => installCommands(parseRegistryHost(host))),
  };
}

/** A list of group names: at most 100, each a string (the auth layer checks that they exist). */
function groupList(o: Record<string, unknown>, key: string, required: boolean): string[] | undefined {
  const list = optionalStringArray(o, key);
  if (list === undefined && required) throw new ArgsError(`${fieldName(key)} must be a list of strings`);
  if (list && list.length > 100) throw new ArgsError(`${fieldName(key)} must name at most 100 groups`);
  return list;
}

const nameAndRules = (raw: unknown) => {
  const o = object(raw, ['name', 'rules']);
  return { name: requiredString(o, 'name'), rules: requiredString(o, 'rules') };
};

const userAndPassword = (raw: unknown) => {
  const o = object(raw, ['name', 'password']);
  return { name: requiredString(o, 'name'), password: requiredString(o, 'password') };
};

/** Payload checks of this area. */
export const ADMIN_CHECKS: Checks<AdminChannel> = {
  'users:list': none,
  'users:add': (raw) => {
    const o = object(raw, ['name', 'password', 'rules', 'groups']);
    return { name: requiredString(o, 'name'), password: requiredString(o, 'password'), rules: optionalString(o, 'rules'), groups: groupList(o, 'groups', false) };
  },
  'users:remove': (raw) => ({ name: requiredString(object(raw, ['name']), 'name') }),
  'users:set-password': userAndPassword,
  'users:set-rights': nameAndRules,
  'users:set-anonymous': (raw) => ({ rules: requiredString(object(raw, ['rules']), 'rules') }),
  'users:initial-password': none,
  'users:set-groups': (raw) => {
    const o = object(raw, ['name', 'groups']);
    return { name: requiredString(o, 'name'), groups: groupList(o, 'groups', true)! };
  },
  'groups:list': none,
  'groups:add': (raw) => {
    const o = object(raw, ['name', 'rules']);
    return { name: requiredString(o, 'name'), rules: optionalString(o, 'rules') };
  },
  'groups:remove': (raw) => ({ name: requiredString(object(raw, ['name']), 'name') }),
  'groups:set-access': nameAndRules,
  'cert:info': none,
  'cert:regenerate': (raw) => {
    const o = object(raw, ['extraNames', 'newCa']);
    const newCa = optionalBoolean(o, 'newCa');
    return { extraNames: optionalStringArray(o, 'extraNames'), ...(newCa !== undefined ? { newCa } : {}) };
  },
  'cert:bundle': (raw) => ({ host: requiredString(object(raw, ['host']), 'host') }),
  'cert:install-commands': (raw) => ({ host: requiredString(object(raw, ['host']), 'host') }),
};
