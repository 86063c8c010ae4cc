import { readFileSync } from 'node:fs';
import { resolveConfig, type ResolvedConfig } from './resolve';
import { ConfigError, type ConfigFlags } from './types';

/** Reads the `--config` file (if any) and resolves the configuration against the process environment. */
export function loadConfig(flags: ConfigFlags & { config?: string }, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  let fileText: string | undefined;
  if (flags.config !== undefined) {
    try {
      fileText = readFileSync(flags.config, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new ConfigError(`cannot read config file ${flags.config}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    }
  }
  return resolveConfig({ flags, env, fileText, fileName: flags.config });
}
