/** The platform a contents view reads, for a multi-arch image: one choice per platform of the index. */
import { Select } from '@mantine/core';

/** The platforms worth reading: an index also lists attestations as `unknown/unknown`. */
export function readablePlatforms(platforms: readonly string[]): string[] {
  return [...new Set(platforms.filter((p) => p && !p.startsWith('unknown')))];
}

/** A select of `platforms`; nothing when there is one or none (the server reads the only one). */
export function PlatformPicker({ platforms, value, onChange, testId }: { platforms: string[]; value: string | undefined; onChange: (p: string) => void; testId: string }) {
  if (platforms.length < 2) return null;
  return (
    <Select
      aria-label="Platform"
      data-testid={testId}
      w={200}
      data={platforms}
      value={value ?? null}
      allowDeselect={false}
      onChange={(v) => v && onChange(v)}
    />
  );
}
