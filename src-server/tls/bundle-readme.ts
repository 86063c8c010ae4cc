import type { RegistryHost } from './registry-host';

/** What the README of a client bundle describes. */
export interface ReadmeFacts {
  reg: RegistryHost;
  /** Subject and SHA-256 fingerprint of ca.crt, so the reader can check what they trust. */
  caSubject: string;
  caSha256: string;
  /** A plain-HTTP address of the same registry, if it has one. */
  httpUrl?: string;
  /** Why clients will refuse the server certificate for this address, and the way to fix it; null when it names it. */
  notCovered?: string | null;
}

/** The README.md of a client bundle: what it is, per-client steps, login, and the insecure alternative. */
export function bundleReadme(f: ReadmeFacts): string {
  const r = f.reg.authority;
  const dockerWinDir = r.replace(/[:[\]]/g, '');
  // With a plain-HTTP address the insecure settings name that one (no TLS at all); without, they name
  // the HTTPS address (TLS without certificate checks).
  const insecure = f.httpUrl ? new URL(f.httpUrl).host : r;
  const httpNote = f.httpUrl
    ? `This registry also answers plain HTTP at \`${f.httpUrl}\` (\`${insecure}\`): no encryption at all. Use it only\n` +
      'with the settings below, and only where the network is trusted.\n\n'
    : '';
  const warning = f.notCovered ? `> **Warning.** ${f.notCovered}\n\n` : '';
  return `# Connecting to the Berth registry ${r}

${warning}This archive lets your machine trust the registry at \`https://${r}\`. It holds:

| File | What it is |
| --- | --- |
| \`ca.crt\` | The registry's own certificate authority (public certificate only, no key) |
| \`install-linux.sh\` | Installs \`ca.crt\` for this registry in docker, containerd and podman/skopeo/buildah (\`--system\`: also the OS trust store) |
| \`install-macos.sh\` | Trusts \`ca.crt\` for this registry in Docker Desktop (\`--system\`: also the System keychain) |
| \`install-windows.ps1\` | Trusts \`ca.crt\` for this registry in Docker (\`-System\`: also the Windows root store) |

Check that \`ca.crt\` is the one your administrator meant before you trust it:

    subject: ${f.caSubject}
    SHA-256: ${f.caSha256}

(\`openssl x509 -in ca.crt -noout -fingerprint -sha256\` prints the same.)

The CA can only vouch for the names and local addresses of the machine that runs the registry (its
X.509 name constraints: \`openssl x509 -in ca.crt -noout -ext nameConstraints\` lists them). By default
the scripts trust it for this registry in the container tools only; \`--system\` also puts it in the
operating system's trust store, so that curl, git, browsers and every other program trust it too. Add
that only if you need it.

## Linux

    sudo sh install-linux.sh

It writes, for \`${r}\`:

- docker: \`/etc/docker/certs.d/${r}/ca.crt\`
- podman, skopeo, buildah: \`/etc/containers/certs.d/${r}/ca.crt\`
- containerd (ctr, nerdctl, Kubernetes via CRI): \`/etc/containerd/certs.d/${r}/hosts.toml\` and \`ca.crt\` beside
  it. CRI reads it when containerd's \`config_path\` includes \`/etc/containerd/certs.d\`; with ctr use
  \`ctr images pull --hosts-dir /etc/containerd/certs.d ${r}/IMAGE\`.

\`sudo sh install-linux.sh --system\` also adds it to the OS trust store, picked from \`/etc/os-release\`: Debian
and Ubuntu (\`/usr/local/share/ca-certificates/\` + \`update-ca-certificates\`), RHEL, Fedora, CentOS
(\`/etc/pki/ca-trust/source/anchors/\` + \`update-ca-trust\`), Alpine (\`/usr/local/share/ca-certificates/\` +
\`update-ca-certificates\`), Arch (\`/etc/ca-certificates/trust-source/anchors/\` + \`trust extract-compat\`),
openSUSE (\`/etc/pki/trust/anchors/\` + \`update-ca-certificates\`).

Running it again changes nothing. \`--root DIR\` installs into another tree (an image root, a test folder)
without running any update command; the paths written into files (hosts.toml's \`ca\`) are those of the
system the tree is for, without DIR. \`--no-update\` skips the update command. Docker, podman and containerd
read these files on every connection: no restart needed.

## macOS

    sh install-macos.sh

Copies \`ca.crt\` to \`~/.docker/certs.d/${r}/ca.crt\`. Restart Docker Desktop afterwards. \`sh install-macos.sh
--system\` also adds it to the System keychain as a trusted root (\`security add-trusted-cert -d -r trustRoot -k
/Library/Keychains/System.keychain ca.crt\`; asks for your password). For a Podman machine, copy \`ca.crt\`
into the VM: \`podman machine ssh "sudo mkdir -p /etc/containers/certs.d/${r}"\`, then
\`podman machine ssh "sudo tee /etc/containers/certs.d/${r}/ca.crt" < ca.crt\`.

## Windows

In PowerShell started with "Run as administrator":

    powershell -ExecutionPolicy Bypass -File .\\install-windows.ps1

Copies \`ca.crt\` to \`%ProgramData%\\docker\\certs.d\\${dockerWinDir}\\ca.crt\` (Docker on Windows leaves the colon
out of that folder name). Restart Docker Desktop afterwards. With \`-System\` it also imports it into
\`Cert:\\LocalMachine\\Root\`, for every program.

## Log in

    docker login ${r}

(or \`podman login ${r}\`, \`skopeo login ${r}\`, \`ctr images pull --user NAME ...\`). Then push and pull as
\`${r}/REPOSITORY:TAG\`.

## The less safe alternative: an insecure registry

If you cannot install the CA, clients can be told to skip certificate checks for this one registry.
**This is the less safe choice**: anyone on the network path can then impersonate the registry, read your
password and swap images. Prefer the scripts above.

${httpNote}- Docker: add the registry to \`/etc/docker/daemon.json\` (Docker Desktop: Settings > Docker Engine), then
  restart Docker:

      { "insecure-registries": ["${insecure}"] }

- podman, skopeo, buildah: in \`/etc/containers/registries.conf\` (or \`~/.config/containers/registries.conf\`):

      [[registry]]
      location = "${insecure}"
      insecure = true

  or per command: \`--tls-verify=false\`.
- containerd: \`ctr images pull --skip-verify ...\` (or \`--plain-http\` for an HTTP address), or
  \`skip_verify = true\` in hosts.toml.
`;
}
