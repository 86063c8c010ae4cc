import { describe, expect, it } from 'vitest';
import { requiredAccess } from './required-access';

const t = (resource: string, repo = 'team/app', ref = '') => ({ resource, repo, ref });

describe('requiredAccess', () => {
  const cases: Array<[string, string, ReturnType<typeof t>, Record<string, string>, unknown]> = [
    ['ping', 'GET', t('ping', ''), {}, 'login'],
    ['catalog', 'GET', t('catalog', ''), {}, 'login'],
    ['tags list', 'GET', t('tags'), {}, { needs: [{ repo: 'team/app', right: 'pull' }] }],
    ['manifest GET', 'GET', t('manifests', 'team/app', 'v1'), {}, { needs: [{ repo: 'team/app', right: 'pull' }] }],
    ['manifest HEAD', 'HEAD', t('manifests', 'team/app', 'v1'), {}, { needs: [{ repo: 'team/app', right: 'pull' }] }],
    ['manifest PUT', 'PUT', t('manifests', 'team/app', 'v1'), {}, { needs: [{ repo: 'team/app', right: 'push' }] }],
    ['manifest DELETE', 'DELETE', t('manifests', 'team/app', 'v1'), {}, { needs: [{ repo: 'team/app', right: 'delete' }] }],
    ['blob GET', 'GET', t('blobs', 'a', 'sha256:x'), {}, { needs: [{ repo: 'a', right: 'pull' }] }],
    ['blob DELETE', 'DELETE', t('blobs', 'a', 'sha256:x'), {}, { needs: [{ repo: 'a', right: 'delete' }] }],
    ['upload POST', 'POST', t('uploads', 'a'), {}, { needs: [{ repo: 'a', right: 'push' }] }],
    ['upload GET status', 'GET', t('upload', 'a', 'u'), {}, { needs: [{ repo: 'a', right: 'push' }] }],
    ['upload DELETE', 'DELETE', t('upload', 'a', 'u'), {}, { needs: [{ repo: 'a', right: 'push' }] }],
    ['mount from', 'POST', t('uploads', 'a'), { mount: 'sha256:x', from: 'b' }, { needs: [{ repo: 'a', right: 'push' }], mountFrom: 'b' }],
    ['automatic mount', 'POST', t('uploads', 'a'), { mount: 'sha256:x' }, { needs: [{ repo: 'a', right: 'push' }], automaticMount: true }],
    ['referrers', 'GET', t('referrers', 'a', 'sha256:x'), {}, { needs: [{ repo: 'a', right: 'pull' }] }],
    ['unsupported method on a manifest still needs a right', 'POST', t('manifests', 'a', 'v1'), {}, { needs: [{ repo: 'a', right: 'pull' }] }],
  ];
  for (const [desc, method, target, query, want] of cases) {
    it(desc, () => expect(requiredAccess(method, target, query)).toEqual(want));
  }
});
