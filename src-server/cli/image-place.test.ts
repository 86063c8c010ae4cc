import { describe, expect, it } from 'vitest';
import { parseImagePlace } from './image-place';

describe('parseImagePlace (skopeo reference syntax)', () => {
  it('reads the local registry, hosts and docker://', () => {
    expect(parseImagePlace('team/app:v1')).toEqual({ transport: 'registry', connection: 'local', repository: 'team/app', reference: 'v1' });
    expect(parseImagePlace('team/app')).toEqual({ transport: 'registry', connection: 'local', repository: 'team/app' });
    expect(parseImagePlace('127.0.0.1:5000/app@sha256:' + 'a'.repeat(64))).toEqual({ transport: 'host', host: '127.0.0.1:5000', repository: 'app', reference: 'sha256:' + 'a'.repeat(64) });
    expect(parseImagePlace('docker://localhost:5000/app:1', { username: 'u', password: 'p' })).toEqual({
      transport: 'host',
      host: 'localhost:5000',
      repository: 'app',
      reference: '1',
      access: { username: 'u', password: 'p' },
    });
    // Docker Hub's short names, as docker and skopeo expand them.
    expect(parseImagePlace('docker://alpine:3')).toEqual({ transport: 'host', host: 'docker.io', repository: 'library/alpine', reference: '3' });
  });

  it('splits a file reference at the first colon after the transport, paths made absolute', () => {
    expect(parseImagePlace('oci:layout:v1', undefined, '/work')).toEqual({ transport: 'oci', path: '/work/layout', reference: 'v1' });
    expect(parseImagePlace('oci-archive:/tmp/a.tar', undefined, '/work')).toEqual({ transport: 'oci-archive', path: '/tmp/a.tar' });
    expect(parseImagePlace('docker-archive:out/d.tar:team/app:v2', undefined, '/w')).toEqual({ transport: 'docker-archive', path: '/w/out/d.tar', reference: 'team/app:v2' });
  });

  it('refuses what it cannot use, in words', () => {
    expect(() => parseImagePlace('')).toThrow('an image reference is empty');
    expect(() => parseImagePlace('oci-archive:')).toThrow('oci-archive: needs a path');
    expect(() => parseImagePlace('oci:/tmp/x:')).toThrow("nothing follows the ':' after the path");
    expect(() => parseImagePlace('containers-storage:alpine')).toThrow('containers-storage: is not a transport Berth reads');
    expect(() => parseImagePlace('Team/App:v1')).toThrow(/not a repository name \(repository names are lower case\)/);
    expect(() => parseImagePlace('app:bad tag')).toThrow(/contains spaces/);
  });
});
