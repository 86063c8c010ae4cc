import { expect } from 'vitest';
import { resolveConfig, type ResolveInput, type ResolvedConfig } from '../../src-server/config/resolve';
import { ConfigError } from '../../src-server/config/types';

/** The home directory every config test resolves against (Linux layout). */
export const TEST_HOME = '/home/u';

/** Resolves a config on Linux with no flags and no environment unless the input sets them. */
export function resolveForTest(input: Partial<ResolveInput>): ResolvedConfig {
  return resolveConfig({ flags: {}, env: {}, platform: 'linux', home: TEST_HOME, ...input });
}

/** The message of the ConfigError that resolving throws (fails the test if it does not throw one). */
export function configErrorOf(input: Partial<ResolveInput>): string {
  try {
    resolveForTest(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${JSON.stringify(input)}`);
}
