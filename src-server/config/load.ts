import { readTextFile } from '../core/files';
import { resolveConfig, type ResolvedConfig } from './resolve';
import { ConfigError, type ConfigFlags } from './types';

/** Reads the `--config` file (if any) and resolves the configuration against the process environment. */
export function loadConfig(flags: ConfigFlags & { config?: string }, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const fileText = flags.config === undefined ? undefined : readTextFile(flags.config, 'config file', ConfigError);
  return resolveConfig({ flags, env, fileText, fileName: flags.config });
}
