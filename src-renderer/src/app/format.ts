/** How numbers, bytes, digests and dates read in the GUI. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Bytes in decimal units as registries show them (`12.3 MB`); `—` when unknown. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  let v = n;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${UNITS[u]}`;
}

/** `sha256:0123456789ab` (12 hex digits): enough to tell digests apart on screen. */
export function shortDigest(digest: string | null | undefined): string {
  if (!digest) return '—';
  const [alg, hex] = digest.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : digest;
}

/** A date as the user's locale writes it; `—` when unknown. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString();
}

/** `1 tag`, `3 tags`. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
