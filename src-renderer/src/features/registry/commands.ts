/** The client commands the registry screen offers for copying, built from the running address. */

/** `HOST:PORT` of a URL as clients name the registry (IPv6 in brackets); null for no or a bad URL. */
export function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

/** `alpine:3` from `docker.io/library/alpine:3` or `ghcr.io/org/app:1`: the path part clients push under HOST/. */
export function localPath(image: string): string {
  const parts = image.trim().split('/');
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  return parts.join('/');
}

/** One copyable command. */
export interface ClientCommand {
  id: string;
  label: string;
  command: string;
}

/** Commands per client for `host`, `image` (as the user has it) and `user`; `insecure` for plain HTTP. */
export function clientCommands(opts: { host: string; image: string; user: string; insecure: boolean }): Record<'docker' | 'podman' | 'skopeo', ClientCommand[]> {
  const { host, insecure } = opts;
  const image = opts.image.trim() || 'alpine:3';
  const user = opts.user.trim() || 'USER';
  const target = `${host}/${localPath(image)}`;
  const tls = insecure ? ' --tls-verify=false' : '';
  const destTls = insecure ? ' --dest-tls-verify=false' : '';
  return {
    docker: [
      { id: 'docker-login', label: 'Log in', command: `docker login ${host} -u ${user}` },
      { id: 'docker-push', label: 'Tag and push', command: `docker tag ${image} ${target}\ndocker push ${target}` },
      { id: 'docker-pull', label: 'Pull', command: `docker pull ${target}` },
    ],
    podman: [
      { id: 'podman-login', label: 'Log in', command: `podman login${tls} ${host} -u ${user}` },
      { id: 'podman-push', label: 'Tag and push', command: `podman tag ${image} ${target}\npodman push${tls} ${target}` },
      { id: 'podman-pull', label: 'Pull', command: `podman pull${tls} ${target}` },
    ],
    skopeo: [
      { id: 'skopeo-login', label: 'Log in', command: `skopeo login${tls} ${host} -u ${user}` },
      { id: 'skopeo-copy', label: 'Copy an image in (no local daemon needed)', command: `skopeo copy${destTls} docker://${image} docker://${target}` },
      { id: 'skopeo-inspect', label: 'Inspect', command: `skopeo inspect${tls} docker://${target}` },
    ],
  };
}
