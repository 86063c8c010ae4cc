import { describe, expect, it } from 'vitest';
import { APP_CODES, OCI_CODES, TRANSPORT_CODES, type Code } from '../../../src-server/contract';
import { ApiCallError } from './app-api';
import { describeError, errorCode } from './errors';

const ALL = [...Object.keys(OCI_CODES), ...Object.keys(APP_CODES), ...Object.keys(TRANSPORT_CODES)] as Code[];

describe('describeError', () => {
  it.each(ALL)('%s has a title of its own', (code) => {
    const text = describeError(new ApiCallError('registry:status', { code, message: 'the server said so' }));
    expect(text.title).not.toBe('The operation failed');
    expect(text.title.length).toBeGreaterThan(0);
    expect(text.message).toBe('the server said so');
  });

  it('keeps the titles the GUI tests read', () => {
    const title = (code: Code) => describeError(new ApiCallError('c', { code, message: '' })).title;
    expect(title('LAST_ADMIN')).toBe('Berth needs at least one administrator');
    expect(title('OFFLINE')).toBe('Berth does not answer');
    expect(title('DESTINATION_CHANGED')).toBe('The tag changed meanwhile');
  });

  it('falls back for a code a newer server sends', () => {
    const err = new ApiCallError('c', { code: 'SOMETHING_NEW' as Code, message: 'x' });
    expect(describeError(err).title).toBe('The operation failed');
    expect(errorCode(err)).toBe('SOMETHING_NEW');
  });
});
