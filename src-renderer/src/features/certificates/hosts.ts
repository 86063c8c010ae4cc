/** Host helpers of the certificates screen. */

/** What the bundle and install commands are for when nothing was typed yet: the HTTPS address, else the HTTP host on 5443. */
export function defaultBundleHost(tlsUrl: string | null | undefined, url: string | null | undefined): string {
  for (const [u, tls] of [
    [tlsUrl, true],
    [url, false],
  ] as const) {
    if (!u) continue;
    try {
      const parsed = new URL(u);
      if (tls) return parsed.port ? parsed.host : `${parsed.host}:443`;
      return `${parsed.hostname}:5443`;
    } catch {
      // not a URL: try the next
    }
  }
  return '';
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** Null when `host` looks like HOST:PORT; else why not, in words (the server checks it fully). */
export function hostProblem(host: string): string | null {
  const s = host.trim();
  if (s === '') return 'Enter the address clients use, as HOST:PORT (e.g. registry.local:5443).';
  const m = HOST_PORT.exec(s);
  if (!m) return `"${s}" is not HOST:PORT: enter the address clients use with its port (e.g. registry.local:5443 or [fd00::2]:5443).`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `The port ${m[2]} is out of range (1 to 65535).`;
  return null;
}

/** The host of a `HOST:PORT` that {@link hostProblem} accepts, without brackets. */
export function hostOf(hostPort: string): string {
  const m = HOST_PORT.exec(hostPort.trim());
  const host = m?.[1] ?? '';
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/** Bytes of a base64 string. */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Offers `bytes` as a download named `fileName` (a Blob, an object URL, a clicked `<a download>`). */
export function offerDownload(bytes: Uint8Array<ArrayBuffer>, fileName: string, type = 'application/gzip'): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
