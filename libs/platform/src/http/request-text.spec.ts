import { malformedPathParameters, parameterProblems } from './request-text';

describe('parameterProblems', () => {
  it('finds nothing in ordinary parameters and queries, encoded or not', () => {
    expect(parameterProblems('/a/b?x=1&y=%C3%A9+z&flag&=', { id: 'b' })).toEqual([]);
    expect(parameterProblems('/a/b?emoji=%F0%9F%92%B8', {})).toEqual([]);
  });

  it('names path parameters holding NUL or a lone surrogate', () => {
    const fields = parameterProblems('/a', { id: 'x\u0000', other: 'ok', lone: '\udfff' });
    expect(fields.map((p) => p.field)).toEqual(['id', 'lone']);
  });

  it('names query parameters holding NUL, or bytes that are not UTF-8, by their decoded name', () => {
    const problems = parameterProblems('/a?ok=1&e%6Dail=a%00b&lone=%ED%A0%80&%FF=1', {});
    expect(problems).toEqual([
      { field: 'email', messages: [expect.stringContaining('NUL')] },
      { field: 'lone', messages: [expect.stringContaining('percent-encoded UTF-8')] },
      { field: '%FF', messages: [expect.stringContaining('percent-encoded UTF-8')] },
    ]);
  });
});

describe('malformedPathParameters', () => {
  const route = (path: string) => {
    const match = /^\/things\/([^/]+)\/parts\/([^/]+)$/.exec(path);

    return match ? { thing: match[1], part: match[2] } : undefined;
  };

  it('names the parameters whose segment does not decode', () => {
    expect(malformedPathParameters('/things/ok/parts/%ED%A0%80', route)).toEqual([
      { field: 'part', messages: [expect.stringContaining('percent-encoded UTF-8')] },
    ]);
  });

  it('names nothing when every segment decodes or the URL routes nowhere', () => {
    expect(malformedPathParameters('/things/a/parts/b', route)).toEqual([]);
    expect(malformedPathParameters('/%FF/a', route)).toEqual([]);
  });
});
