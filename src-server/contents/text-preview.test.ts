import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { asText, textPreview } from './text-preview';

describe('textPreview', () => {
  it('returns UTF-8 text and says when it is cut', async () => {
    const body = Buffer.from('héllo wörld\n'.repeat(100));
    const p = await textPreview(Readable.from([body]), body.length, 64);
    expect(p.truncated).toBe(true);
    expect(Buffer.byteLength(p.text!)).toBeLessThanOrEqual(64);
    expect(body.toString().startsWith(p.text!)).toBe(true);
  });

  it('says null for binary content', async () => {
    const p = await textPreview(Readable.from([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])]), 7, 64);
    expect(p).toEqual({ size: 7, text: null, truncated: false });
  });

  it('refuses invalid UTF-8 that is not at a cut', () => {
    expect(asText(Buffer.from([0x61, 0xff, 0x62]), false)).toBeNull();
    expect(asText(Buffer.from([0x61, 0xc3]), true)).toBe('a');
    expect(asText(Buffer.from([0x61, 0xc3]), false)).toBeNull();
  });
});
