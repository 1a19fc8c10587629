import { canonicalJson, requestHash } from './request-hash';

describe('requestHash', () => {
  it('ignores the order of object keys at any depth', () => {
    const a = { amount: '10', to: { id: 'x', kind: 'account' }, tags: [{ b: 1, a: 2 }] };
    const b = { tags: [{ a: 2, b: 1 }], to: { kind: 'account', id: 'x' }, amount: '10' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(requestHash('POST', '/v1/t', a)).toBe(requestHash('post', '/v1/t', b));
  });

  it('tells apart bodies, element sequences, paths and methods', () => {
    const base = requestHash('POST', '/v1/t', { ids: [1, 2] });
    expect(requestHash('POST', '/v1/t', { ids: [2, 1] })).not.toBe(base);
    expect(requestHash('POST', '/v1/t', { ids: [1, 2], note: 'x' })).not.toBe(base);
    expect(requestHash('POST', '/v1/u', { ids: [1, 2] })).not.toBe(base);
    expect(requestHash('PUT', '/v1/t', { ids: [1, 2] })).not.toBe(base);
  });

  it('treats an absent body and undefined members as absent', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(requestHash('POST', '/v1/t', undefined)).toBe(requestHash('POST', '/v1/t', undefined));
    expect(canonicalJson(undefined)).toBe('');
    expect(canonicalJson(null)).toBe('null');
  });
});
