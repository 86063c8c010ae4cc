import { describe, expect, it } from 'vitest';
import { lastOf, nextLink } from './paging';

describe('nextLink', () => {
  it('resolves a relative next link against the URL that answered', () => {
    const link = nextLink('</v2/_catalog?last=b%2Fc&n=2>; rel="next"', 'https://r.example:5000/v2/_catalog?n=2');
    expect(link).toBe('https://r.example:5000/v2/_catalog?last=b%2Fc&n=2');
    expect(lastOf(link)).toBe('b/c');
  });

  it('picks rel=next among several links and ignores the others', () => {
    const header = '<https://r/v2/x/tags/list?n=1>; rel="prev", <https://r/v2/x/tags/list?last=v2&n=1>; rel=next';
    expect(nextLink(header, 'https://r/')).toBe('https://r/v2/x/tags/list?last=v2&n=1');
    expect(nextLink('<https://r/a>; rel="prev"', 'https://r/')).toBeNull();
    expect(nextLink(null, 'https://r/')).toBeNull();
    expect(lastOf(null)).toBeNull();
  });
});
