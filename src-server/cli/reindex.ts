import { rmSync } from 'node:fs';
import { loadConfig } from '../config/load';
import { listingCacheFiles, listingCachePath } from '../contents/listing-cache';
import { createLogger } from '../logger';
import { createServices, indexPath } from '../services';
import { CliError } from './errors';

/** Options of `berth reindex`. */
export interface ReindexOptions {
  data?: string;
  config?: string;
}

/**
 * `berth reindex`: drops the SQLite index and rebuilds it from the disk, which stays the truth.
 * The cache of layer listings goes too (it is rebuilt as images are opened). Resolves the data
 * directory exactly as `berth serve` would.
 */
export async function reindex(opts: ReindexOptions): Promise<void> {
  const { config } = loadConfig(opts);
  const db = indexPath(config.dataDir);
  try {
    for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  } catch (err) {
    throw new CliError(`cannot remove the index ${db}: ${(err as Error).message}`);
  }
  const listings = listingCachePath(config.dataDir);
  try {
    for (const file of listingCacheFiles(listings)) rmSync(file, { force: true });
  } catch (err) {
    throw new CliError(`cannot remove the layer listing cache ${listings}: ${(err as Error).message}`);
  }
  const log = createLogger('warn');
  let services;
  try {
    services = await createServices({ dataDir: config.dataDir, log, s3: config.s3 });
  } catch (err) {
    throw new CliError(`cannot open data directory ${config.dataDir}: ${(err as Error).message}`);
  }
  const r = services.reconcileReport;
  services.close();
  process.stdout.write(
    `Reindexed ${config.dataDir}: ${r.repositories} repositories, ${r.tags} tags, ${r.manifests} manifests, ` +
      `${r.warnings.length} warnings (${r.ms} ms)\n`,
  );
  for (const w of r.warnings) process.stdout.write(`warning: ${w}\n`);
}
