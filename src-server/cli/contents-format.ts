/**
 * How `berth files`, `berth files --layers`, `berth extract` and `berth diff` print for people:
 * pure functions from the contract's DTOs to text (sizes in decimal units, like the other commands).
 */
import type { ContentsImage, FileDiff, FileEntry, FileSide, FileType, ImageDiff, ImageFiles, ImageLayers } from '../contract/contents';
import type { ExtractReport } from '../contents/types';
import { count, formatBytes } from './format';
import { formatTable, shortDigest } from './usage';

const TYPE_CHAR: Record<FileType, string> = { file: '-', dir: 'd', symlink: 'l', hardlink: 'h', char: 'c', block: 'b', fifo: 'p' };

/** `drwxr-xr-x`, `-rwsr-xr-x`, `lrwxrwxrwx`: the type and the permission bits as `ls -l` shows them. */
export function modeString(type: FileType, mode: number): string {
  const bit = (mask: number, c: string) => (mode & mask ? c : '-');
  const special = (exec: number, flag: number, on: string, off: string, plain: string) =>
    mode & flag ? (mode & exec ? on : off) : mode & exec ? plain : '-';
  return (
    TYPE_CHAR[type] +
    bit(0o400, 'r') + bit(0o200, 'w') + special(0o100, 0o4000, 's', 'S', 'x') +
    bit(0o040, 'r') + bit(0o020, 'w') + special(0o010, 0o2000, 's', 'S', 'x') +
    bit(0o004, 'r') + bit(0o002, 'w') + special(0o001, 0o1000, 't', 'T', 'x')
  );
}

/** One line naming the image read: digest, platform, and the index it came from. */
export function imageLine(image: ContentsImage): string {
  const platform = image.platform ? ` ${image.platform}` : '';
  const index = image.indexDigest ? ` (from index ${shortDigest(image.indexDigest)}; platforms ${image.platforms.join(', ')})` : '';
  return `${image.digest}${platform}${index}`;
}

function pathCell(e: Pick<FileEntry, 'path' | 'type' | 'link'>): string {
  const path = `/${e.path}`;
  // A layer's change names no target: then only the path is shown.
  if (e.type === 'symlink' && e.link !== undefined) return `${path} -> ${e.link}`;
  if (e.type === 'hardlink' && e.link !== undefined) return `${path} link to /${e.link}`;
  return e.type === 'dir' ? `${path}/` : path;
}

/** The merged filesystem as an `ls -l`-like table, then totals and warnings. */
export function formatFiles(f: ImageFiles): string {
  const rows = f.entries.map((e) => [modeString(e.type, e.mode), `${e.uid}:${e.gid}`, e.type === 'file' ? formatBytes(e.size) : '', String(e.layer), pathCell(e)]);
  const lines = [imageLine(f), ''];
  lines.push(rows.length ? formatTable(['MODE', 'OWNER', 'SIZE', 'LAYER', 'PATH'], rows, 'llrrl') : 'No entries.');
  lines.push(
    '',
    `${count(f.entries.length, 'entry', 'entries')}, ${formatBytes(f.totalSize)} in ${count(f.layers.length, 'layer')}; ` +
      `${count(f.hidden.length, 'file')} deleted or overwritten by a later layer (${formatBytes(f.wasted)} wasted)`,
  );
  return lines.join('\n') + warnings(f.warnings);
}

const CHANGE_MARK = { added: 'A', modified: 'M', deleted: 'D' } as const;

/** Each layer with its changes (dive's view), then the wasted total. */
export function formatLayers(l: ImageLayers): string {
  const lines = [imageLine(l)];
  for (const layer of l.layers) {
    const tar = layer.uncompressedSize === null ? 'not read' : `tar ${formatBytes(layer.uncompressedSize)}`;
    lines.push(
      '',
      `#${layer.index} ${shortDigest(layer.digest)} ${formatBytes(layer.size)} (${tar}): ` +
        `${layer.added} added, ${layer.modified} modified, ${layer.deleted} deleted, ${formatBytes(layer.wasted)} wasted` +
        (layer.foreign ? ' [foreign: not fetched]' : ''),
    );
    if (layer.createdBy) lines.push(`   ${oneLine(layer.createdBy)}`);
    for (const c of layer.changes) lines.push(`   ${CHANGE_MARK[c.kind]} ${pathCell({ path: c.path, type: c.type })}${c.type === 'file' ? `  ${formatBytes(c.size)}` : ''}`);
    for (const w of layer.warnings) lines.push(`   warning: ${w}`);
  }
  lines.push('', `${count(l.layers.length, 'layer')}, ${formatBytes(l.wasted)} wasted`);
  return lines.join('\n') + warnings(l.warnings.filter((w) => !l.layers.some((x) => x.warnings.includes(w))));
}

/** What extraction wrote and skipped. */
export function formatExtract(report: ExtractReport, outDir: string): string {
  const lines = [`Wrote ${count(report.written, 'entry', 'entries')} (${formatBytes(report.bytes)}) under ${outDir}`];
  if (report.skipped.length) {
    lines.push(`Skipped ${count(report.skipped.length, 'entry', 'entries')}:`);
    for (const s of report.skipped) lines.push(`  /${s.path}: ${s.reason}`);
  }
  // `notes` (what was written otherwise than the image says) is newer than some reports.
  const notes = (report as ExtractReport & { notes?: string[] }).notes ?? [];
  if (notes.length) lines.push('Notes:', ...notes.map((n) => `  ${n}`));
  return lines.join('\n') + '\n';
}

function sideText(s: FileSide): string {
  return `${modeString(s.type, s.mode)} ${s.uid}:${s.gid}${s.type === 'file' ? ` ${formatBytes(s.size)}` : ''}${s.link ? ` -> ${s.link}` : ''}`;
}

function fileDiffLine(d: FileDiff): string {
  if (d.kind === 'added') return `+ /${d.path}  ${sideText(d.right!)}`;
  if (d.kind === 'removed') return `- /${d.path}  ${sideText(d.left!)}`;
  const l = d.left!;
  const r = d.right!;
  const what = d.aspects.map((a) => {
    if (a === 'size') return `size ${formatBytes(l.size)} -> ${formatBytes(r.size)}`;
    if (a === 'mode') return `mode ${(l.mode & 0o7777).toString(8).padStart(4, '0')} -> ${(r.mode & 0o7777).toString(8).padStart(4, '0')}`;
    if (a === 'owner') return `owner ${l.uid}:${l.gid} -> ${r.uid}:${r.gid}`;
    if (a === 'type') return `type ${l.type} -> ${r.type}`;
    if (a === 'link') return `link ${l.link ?? ''} -> ${r.link ?? ''}`;
    return `content ${l.digest ? shortDigest(l.digest) : '?'} -> ${r.digest ? shortDigest(r.digest) : '?'}`;
  });
  return `~ /${d.path}  ${what.join(', ')}`;
}

/** Files, config and layers of a diff, then the size delta. */
export function formatDiff(d: ImageDiff): string {
  const lines = [`left:  ${imageLine(d.left)}`, `right: ${imageLine(d.right)}`, ''];
  const added = d.files.filter((f) => f.kind === 'added').length;
  const removed = d.files.filter((f) => f.kind === 'removed').length;
  lines.push(`Files: ${added} added, ${removed} removed, ${d.files.length - added - removed} changed`);
  for (const f of d.files) lines.push(`  ${fileDiffLine(f)}`);
  lines.push('', `Config: ${count(d.config.length, 'change')}`);
  for (const c of d.config) lines.push(`  ${c.field}${c.key !== undefined ? ` ${c.key}` : ''}: ${c.left ?? '(none)'} -> ${c.right ?? '(none)'}`);
  const sum = (ls: { size: number }[]) => formatBytes(ls.reduce((s, x) => s + x.size, 0));
  const { shared, leftOnly, rightOnly } = d.layers;
  lines.push(
    '',
    `Layers: ${shared.length} shared (${sum(shared)}), ${leftOnly.length} only left (${sum(leftOnly)}), ${rightOnly.length} only right (${sum(rightOnly)})`,
  );
  for (const l of leftOnly) lines.push(`  - ${l.digest} ${formatBytes(l.size)}`);
  for (const l of rightOnly) lines.push(`  + ${l.digest} ${formatBytes(l.size)}`);
  const delta = d.size.delta;
  lines.push('', `Size: ${formatBytes(d.size.left)} -> ${formatBytes(d.size.right)} (${delta < 0 ? '-' : '+'}${formatBytes(Math.abs(delta))})`);
  return lines.join('\n') + warnings(d.warnings);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

function warnings(list: string[]): string {
  return (list.length ? `\n\nWarnings:\n${list.map((w) => `  ${w}`).join('\n')}` : '') + '\n';
}
