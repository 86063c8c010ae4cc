/**
 * Reading an image config (OCI image config, Docker container image v1) into what the image screen
 * shows. Configs come from registries we do not control, so every field is checked, never trusted.
 */
import type { ImageConfigSummary } from '../contract';
import type { CachedConfig, ConfigHistoryStep } from './cache';

/** Config media types that hold an image config (anything else is an artifact's own config). */
export const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Parses a config body; null when it is not a JSON object. */
export function parseImageConfig(body: Buffer): CachedConfig | null {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const c = json as Record<string, unknown>;
  const run = obj(c.config);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(run.Labels))) if (typeof v === 'string') labels[k] = v;
  const summary: ImageConfigSummary = {
    created: str(c.created),
    author: str(c.author),
    os: str(c.os),
    architecture: str(c.architecture),
    variant: str(c.variant),
    entrypoint: strings(run.Entrypoint),
    cmd: strings(run.Cmd),
    env: strings(run.Env) ?? [],
    workingDir: str(run.WorkingDir) || null,
    user: str(run.User) || null,
    labels,
    exposedPorts: Object.keys(obj(run.ExposedPorts)).sort(),
    volumes: Object.keys(obj(run.Volumes)).sort(),
  };
  const history: ConfigHistoryStep[] = (Array.isArray(c.history) ? c.history : []).map((h) => {
    const step = obj(h);
    return { created: str(step.created), createdBy: str(step.created_by), comment: str(step.comment), emptyLayer: step.empty_layer === true };
  });
  return { summary, history };
}

/** `os/arch[/variant]`, or `unknown` when the os or architecture is missing or `unknown` (attestations). */
export function platformName(p: { os?: string | null; architecture?: string | null; variant?: string | null } | null | undefined): string {
  if (!p?.os || !p.architecture || p.os === 'unknown' || p.architecture === 'unknown') return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
