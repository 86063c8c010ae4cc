/**
 * `berth copy SRC DST`: one image between any two places, skopeo's way (see image-place.ts for the
 * references): the local registry, registry hosts, OCI layouts, OCI archives and docker archives.
 * The copy runs in the core of the data directory (the running `berth serve`, else in-process), so
 * that the local registry's index sees it; paths are made absolute here first.
 */
import type { Command } from 'commander';
import type { HostAccess, PlatformChoice, TransferCopyReport, TransferProgress } from '../contract';
import { parseCreds, parseTlsVerify, readCa } from './contents-readers';
import { invokeCore, type DataOptions } from './control-client';
import { CliError } from './errors';
import { count, formatBytes } from './format';
import { parseImagePlace } from './image-place';
import { transferDisplay } from './transfer-progress';

/** Options of `berth copy`. */
export interface CopyCommandOptions extends DataOptions {
  all?: boolean;
  platform?: string[];
  withReferrers?: boolean;
  overwrite?: boolean;
  creds?: string;
  srcCreds?: string;
  destCreds?: string;
  tlsVerify?: string;
  srcTlsVerify?: string;
  destTlsVerify?: string;
  ca?: string;
  json?: boolean;
}

/** Options every command naming registry hosts takes. */
export interface HostOptions {
  creds?: string;
  tlsVerify?: string;
  ca?: string;
}

/** Commander reducer for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds `berth copy` to the program. */
export function registerCopyCommand(program: Command, dataHelp: string): void {
  program
    .command('copy')
    .description('copy an image between registries and files: REPO:TAG (local), HOST/REPO:TAG or docker://..., oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REPO:TAG]')
    .argument('<source>', 'the image to copy')
    .argument('<destination>', 'where to write it (a file is written whole or not at all)')
    .option('--all', 'copy every platform of a multi-platform image (the index unchanged)')
    .option('--platform <os/arch>', 'copy this platform of a multi-platform image (repeatable; default: this machine\'s)', collect, [] as string[])
    .option('--with-referrers', 'also copy the referrers (signatures, SBOMs, attestations) of what is copied')
    .option('--no-overwrite', 'refuse to replace an image a destination tag holds (by default it is replaced, as skopeo does)')
    .option('--creds <user:pass>', 'credentials for registry hosts without a saved connection (both sides)')
    .option('--src-creds <user:pass>', 'credentials for the source host')
    .option('--dest-creds <user:pass>', 'credentials for the destination host')
    .option('--tls-verify <bool>', 'verify registry hosts\' certificates (default true; false also allows plain http)')
    .option('--src-tls-verify <bool>', 'as --tls-verify, for the source')
    .option('--dest-tls-verify <bool>', 'as --tls-verify, for the destination')
    .option('--ca <file>', 'a CA certificate (PEM) to trust for registry hosts')
    .option('--json', 'print the report as JSON on stdout (progress stays on stderr)')
    .option('--data <dir>', dataHelp)
    .option('--config <file>', 'config file to take the data directory from')
    .action(copyCommand);
}

/** Builds a host's access from the shared and per-side flags. */
export function hostAccess(opts: HostOptions & { sideCreds?: string; sideTlsVerify?: string }): HostAccess {
  const access: HostAccess = {};
  const creds = parseCreds(opts.sideCreds ?? opts.creds);
  if (creds) Object.assign(access, creds);
  const tls = opts.sideTlsVerify ?? opts.tlsVerify;
  if (tls !== undefined) access.tlsVerify = parseTlsVerify(tls);
  if (opts.ca !== undefined) access.caPem = readCa(opts.ca);
  return access;
}

/** The platform flags as a choice. */
export function platformChoice(all: boolean | undefined, platforms: string[] | undefined): PlatformChoice | undefined {
  if (all && platforms && platforms.length > 0) throw new CliError('give --all or --platform, not both');
  if (all) return 'all';
  return platforms && platforms.length > 0 ? platforms : undefined;
}

async function copyCommand(src: string, dst: string, opts: CopyCommandOptions): Promise<void> {
  const from = parseImagePlace(src, hostAccess({ ...opts, sideCreds: opts.srcCreds, sideTlsVerify: opts.srcTlsVerify }));
  const to = parseImagePlace(dst, hostAccess({ ...opts, sideCreds: opts.destCreds, sideTlsVerify: opts.destTlsVerify }));
  const display = transferDisplay(process.stderr, 'copy:');
  let report: TransferCopyReport;
  try {
    const platforms = platformChoice(opts.all, opts.platform);
    report = await invokeCore(
      opts,
      'transfer:copy',
      { from, to, ...(platforms ? { platforms } : {}), referrers: opts.withReferrers === true, overwrite: opts.overwrite !== false },
      (event, payload) => {
        if (event === 'transfer:progress') display.update(payload as TransferProgress);
      },
    );
  } finally {
    display.finish();
  }
  process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : copySummary(report));
}

/** The human summary of a copy. */
export function copySummary(r: TransferCopyReport): string {
  const lines = [
    `Copied ${r.digest} to ${r.target}: ${count(r.manifests, 'manifest')}, ${count(r.blobsCopied, 'blob')} (${formatBytes(r.bytesCopied)}) copied, ` +
      `${r.blobsSkipped} already there, in ${(r.durationMs / 1000).toFixed(1)} s`,
  ];
  if (r.referrers > 0) lines.push(`  with ${count(r.referrers, 'referrer')}`);
  if (r.replaced) lines.push(`  replaced ${r.replaced}`);
  return lines.join('\n') + '\n';
}
