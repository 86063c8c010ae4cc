import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../core/errors';
import { parseRange } from './blob-routes';
import { parseContentRange } from './upload-routes';

describe('parseRange (blob GET Range header)', () => {
  const size = 100;
  const cases: Array<[string | undefined, ReturnType<typeof parseRange>]> = [
    [undefined, undefined],
    ['', undefined],
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=10-', { start: 10, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=-1000', { start: 0, end: 99 }],
    ['bytes=50-5000', { start: 50, end: 99 }],
    ['bytes=99-99', { start: 99, end: 99 }],
    [' bytes=0-0 ', { start: 0, end: 0 }],
    ['bytes=100-', null],
    ['bytes=100-200', null],
    ['bytes=-0', null],
    ['bytes=9-3', null],
    // Forms not served partially: the whole blob.
    ['bytes=-', undefined],
    ['bytes=0-1,5-6', undefined],
    ['items=0-1', undefined],
    ['bytes=a-b', undefined],
    ['bytes 0-1', undefined],
  ];
  for (const [header, want] of cases) {
    it(`${JSON.stringify(header)} -> ${JSON.stringify(want)}`, () => expect(parseRange(header, size)).toEqual(want));
  }
  it('an empty blob satisfies no range', () => {
    expect(parseRange('bytes=0-', 0)).toBeNull();
    expect(parseRange('bytes=-5', 0)).toBeNull();
  });
});

describe('parseContentRange (upload PATCH Content-Range header)', () => {
  const ok: Array<[string, { start: number; length: number }]> = [
    ['0-0', { start: 0, length: 1 }],
    ['0-1023', { start: 0, length: 1024 }],
    ['1024-2047', { start: 1024, length: 1024 }],
    ['bytes 0-99', { start: 0, length: 100 }],
    ['bytes 0-99/100', { start: 0, length: 100 }],
    ['0-99/*', { start: 0, length: 100 }],
    [' 5-9 ', { start: 5, length: 5 }],
  ];
  for (const [h, want] of ok) it(`${h} -> ${JSON.stringify(want)}`, () => expect(parseContentRange(h)).toEqual(want));

  const bad: Array<[string, string, number]> = [
    ['', 'BLOB_UPLOAD_INVALID', 400],
    ['abc', 'BLOB_UPLOAD_INVALID', 400],
    ['bytes=0-9', 'BLOB_UPLOAD_INVALID', 400],
    ['-9', 'BLOB_UPLOAD_INVALID', 400],
    ['0-', 'BLOB_UPLOAD_INVALID', 400],
    ['0-9,10-19', 'BLOB_UPLOAD_INVALID', 400],
    ['9-3', 'RANGE_INVALID', 416],
  ];
  for (const [h, code, status] of bad) {
    it(`${JSON.stringify(h)} -> ${code}`, () => {
      let err: unknown;
      try {
        parseContentRange(h);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RegistryError);
      expect((err as RegistryError).code).toBe(code);
      expect((err as RegistryError).status).toBe(status);
    });
  }
});
