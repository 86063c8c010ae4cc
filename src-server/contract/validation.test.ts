import { describe, expect, it } from 'vitest';
import { canonicalIpAddress, listenersCollide, listenSettingsProblems, MIN_PASSWORD_LENGTH, namesCoverHost, parseListenAddress, passwordProblem } from './validation';

describe('passwords Berth sets', () => {
  it('needs at least MIN_PASSWORD_LENGTH characters, counted as characters, and at most 72 bytes', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(12);
    expect(passwordProblem('abc')).toBe('the password has 3 characters; use at least 12');
    expect(passwordProblem('a')).toBe('the password has 1 character; use at least 12');
    expect(passwordProblem('')).toBe('the password is empty');
    expect(passwordProblem('eleven-char')).toMatch(/has 11 characters/);
    expect(passwordProblem('twelve-chars')).toBeNull();
    // Twelve characters, 24 bytes: long enough.
    expect(passwordProblem('é'.repeat(12))).toBeNull();
    expect(passwordProblem('é'.repeat(37))).toMatch(/72 bytes/);
    expect(passwordProblem('long enough\npassword')).toMatch(/line break/);
  });
});

describe('listen addresses', () => {
  it('parses HOST:PORT, [v6]:PORT and :PORT', () => {
    expect(parseListenAddress('127.0.0.1:5000')).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(parseListenAddress('[::1]:5443')).toEqual({ host: '::1', port: 5443 });
    expect(parseListenAddress(':5000')).toEqual({ host: undefined, port: 5000 });
    expect(parseListenAddress('localhost')).toBeNull();
    expect(parseListenAddress('1.2.3.4:65536')).toBeNull();
  });

  it.each<[string, string, boolean]>([
    ['127.0.0.1:5000', '127.0.0.1:5000', true],
    ['127.0.0.1:5000', '127.0.0.1:5443', false],
    [':5000', '127.0.0.1:5000', true],
    ['[::]:5000', '192.168.1.2:5000', true],
    ['0.0.0.0:5000', '127.0.0.1:5000', true],
    ['0.0.0.0:5000', 'registry.lan:5000', true],
    ['0.0.0.0:5000', '[::1]:5000', false],
    ['localhost:5000', '127.0.0.1:5000', true],
    ['localhost:5000', '[::1]:5000', true],
    ['[0:0:0:0:0:0:0:1]:5000', '[::1]:5000', true],
    ['127.0.0.1:5000', '127.0.0.2:5000', false],
    ['registry.lan:5000', 'REGISTRY.lan:5000', true],
    ['127.0.0.1:0', '127.0.0.1:0', false],
  ])('%s and %s collide: %s', (a, b, collide) => {
    expect(listenersCollide(parseListenAddress(a)!, parseListenAddress(b)!)).toBe(collide);
    expect(listenersCollide(parseListenAddress(b)!, parseListenAddress(a)!)).toBe(collide);
  });

  it('names the field and the port of a collision, and bad values', () => {
    expect(listenSettingsProblems({ listen: '127.0.0.1:5000', tlsListen: '127.0.0.1:5000' })).toEqual([
      {
        field: 'tlsListen',
        message:
          'HTTPS listen address 127.0.0.1:5000 uses port 5000, as the HTTP listener 127.0.0.1:5000 does: two listeners cannot share a port on the same address. Choose another port (e.g. 5443).',
      },
    ]);
    expect(listenSettingsProblems({ listen: '127.0.0.1:5443', tlsListen: '127.0.0.1:5443' }, 'listen')[0]!.message).toMatch(/^HTTP listen address 127\.0\.0\.1:5443 uses port 5443, .*\(e\.g\. 5000\)/);
    expect(listenSettingsProblems({ listen: '127.0.0.1:5000', tlsListen: null })).toEqual([]);
    expect(listenSettingsProblems({ listen: '127.0.0.1:5000', tlsListen: '' })).toEqual([]);
    expect(listenSettingsProblems({ listen: 'nowhere', tlsListen: 'under_score:5443' }).map((p) => p.field)).toEqual(['listen', 'tlsListen']);
  });
});

describe('which hosts a certificate covers', () => {
  const names = ['localhost', '127.0.0.1', '::1', 'registry.lan', '*.team.example.test', 'fd00::2'];
  it.each<[string, boolean]>([
    ['registry.lan', true],
    ['REGISTRY.LAN', true],
    ['127.0.0.1', true],
    ['[0:0::1]', true],
    ['FD00:0::2', true],
    ['a.team.example.test', true],
    ['team.example.test', false],
    ['a.b.team.example.test', false],
    ['other.lan', false],
    ['10.0.0.1', false],
    ['*.team.example.test', false],
    ['999.1.1.1', false],
  ])('%s: %s', (host, covered) => {
    expect(namesCoverHost(names, host)).toBe(covered);
  });

  it('canonicalises addresses as the server does', () => {
    expect(canonicalIpAddress('FE80:0000::0001')).toBe('fe80::1');
    expect(canonicalIpAddress('[::1]')).toBe('::1');
    expect(canonicalIpAddress('01.2.3.4')).toBeNull();
    expect(canonicalIpAddress('1.2.3')).toBeNull();
    expect(canonicalIpAddress('fe80::1%eth0')).toBeNull();
  });
});
