import { describe, expect, it } from 'vitest';
import { checkArgs } from './args';
import { ArgsError } from './args-kit';
import { callRefusal } from './caller-access';
import { parseRules } from '../auth/rules';

const ref = { connection: 'local', repository: 'team/app', reference: 'v1' };

describe('contents payload checks', () => {
  it('normalizes paths and keeps the platform', () => {
    expect(checkArgs('contents:files', { ...ref, path: '/./etc//ssl/' })).toEqual({ ...ref, path: 'etc/ssl' });
    expect(checkArgs('contents:files', { ...ref, path: '/' })).toEqual(ref);
    expect(checkArgs('contents:preview', { ...ref, platform: 'linux/arm64/v8', path: './etc/os-release' })).toEqual({ ...ref, platform: 'linux/arm64/v8', path: 'etc/os-release' });
    expect(checkArgs('contents:layers', { ...ref, reference: `sha256:${'a'.repeat(64)}` })).toEqual({ ...ref, reference: `sha256:${'a'.repeat(64)}` });
    expect(checkArgs('contents:save', { ...ref, path: '/etc', name: 'etc.tar', to: '/home/u/etc.tar' })).toEqual({ ...ref, path: 'etc', name: 'etc.tar', to: '/home/u/etc.tar' });
  });

  it.each([
    ['contents:files', { ...ref, path: '../etc/passwd' }, /\.\./],
    ['contents:files', { ...ref, path: 'a/\0b' }, /NUL/],
    ['contents:files', { ...ref, path: 'x'.repeat(5000) }, /at most 4096/],
    ['contents:preview', { ...ref, path: '/' }, /not its root/],
    ['contents:preview', { ...ref }, /path must be a string/],
    ['contents:layers', { ...ref, platform: 'linux' }, /not a platform/],
    ['contents:layers', { ...ref, reference: 'no good' }, /neither a tag nor a digest/],
    ['contents:layers', { ...ref, repository: 'UPPER' }, /not a valid repository name/],
    ['contents:layers', { ...ref, extra: 1 }, /unknown argument "extra"/],
    ['contents:diff', { left: ref }, /the right must be an object/],
    ['contents:diff', { left: ref, right: { ...ref, connection: ' ' } }, /the right connection must not be empty/],
    ['contents:save', { ...ref, path: 'etc/motd', to: 'relative/motd' }, /absolute path/],
    ['contents:save', { ...ref, path: 'etc/motd', name: '../motd' }, /file name/],
  ] as const)('%s refuses %j', (channel, raw, message) => {
    expect(() => checkArgs(channel, raw)).toThrow(ArgsError);
    expect(() => checkArgs(channel, raw)).toThrow(message);
  });
});

describe('who may read an image contents', () => {
  const scope = { user: 'dev', rules: parseRules('pull@team/*') };
  it('needs pull on the repository, and both sides of a diff', () => {
    expect(callRefusal('contents:files', ref, scope)).toBeNull();
    expect(callRefusal('contents:files', { ...ref, repository: 'other/app' }, scope)?.code).toBe('DENIED');
    expect(callRefusal('contents:diff', { left: ref, right: { ...ref, repository: 'other/app' } }, scope)?.message).toMatch(/other\/app/);
    expect(callRefusal('contents:preview', { ...ref, connection: 'hub', path: 'x' }, scope)?.message).toMatch(/only the local registry/);
  });
});
