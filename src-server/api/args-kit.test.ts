import { describe, expect, it } from 'vitest';
import { checkArgs } from './args';
import { ArgsError, fieldName } from './args-kit';

/** The message of the ArgsError `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ArgsError);
    return (err as Error).message;
  }
  throw new Error('no refusal');
}

const from = { connection: 'local', repository: 'team/app', reference: 'v1' };
const to = { connection: 'c-5f0e2a', repository: 'team/app' };

describe('payload refusals in words', () => {
  it('names fields as a user reads them, never as payload paths', () => {
    expect(fieldName('to.repository')).toBe('the target repository');
    expect(fieldName('from.reference')).toBe('the source tag or digest');
    expect(fieldName('operationId')).toBe('the operation id');
    expect(fieldName('someNew.fieldName')).toBe('the some new field name');
  });

  it('says which repository, tag or field is wrong in a sentence', () => {
    expect(refusal(() => checkArgs('image:copy', { from, to: { ...to, repository: 'Bad Name' } }))).toBe(
      'the target repository "Bad Name" is not a valid repository name',
    );
    expect(refusal(() => checkArgs('image:copy', { from: { ...from, reference: 'no tag!' }, to }))).toBe('the source tag or digest "no tag!" is neither a tag nor a digest');
    expect(refusal(() => checkArgs('image:copy', { from: { connection: 'local', repository: 'a' }, to }))).toMatch(/^the source tag or digest is required/);
    expect(refusal(() => checkArgs('browse:tags', { connection: 'local', repository: 5 }))).toBe('the repository must be a string');
  });

  it('leaves no dotted path or identifier in any refusal of a bad copy', () => {
    const bad: unknown[] = [
      { from, to: { ...to, connection: '' } },
      { from, to: 'x' },
      { from, to: { ...to, reference: '::' } },
      { from, to, operationId: '' },
      { from, to, platforms: [] },
      { from: { ...from, repository: 'UPPER' }, to },
    ];
    for (const payload of bad) {
      const message = refusal(() => checkArgs('image:copy', payload));
      expect(message, message).not.toMatch(/\b(from|to)\.|operationId|\{connection/);
    }
  });
});
