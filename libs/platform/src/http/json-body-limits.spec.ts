import { jsonBodyProblems, MAX_JSON_DEPTH } from './json-body-limits';

describe('jsonBodyProblems', () => {
  it('finds nothing in an ordinary body', () => {
    expect(jsonBodyProblems({ a: 'x', b: [1, { c: null, d: true }], e: '' })).toEqual([]);
    expect(jsonBodyProblems(undefined)).toEqual([]);
  });

  it('names NUL characters in values and keys, in document order', () => {
    expect(
      jsonBodyProblems({ a: { 'b\u0000': 1, c: ['ok', 'x\u0000'] }, d: '\u0000' }).map(
        (p) => p.field,
      ),
    ).toEqual(['a.b\u0000', 'a.c.1', 'd']);
  });

  it('names lone surrogates in values and keys, and lets a surrogate pair through', () => {
    expect(
      jsonBodyProblems({ emoji: '\u{1F4B8}', high: 'a\ud800', low: ['\udc00b'], ['\ud800']: 1 }),
    ).toEqual([
      { field: 'high', messages: [expect.stringContaining('lone UTF-16 surrogate')] },
      { field: 'low.0', messages: [expect.stringContaining('lone UTF-16 surrogate')] },
      { field: '\ud800', messages: [expect.stringMatching(/^name .*lone UTF-16 surrogate/)] },
    ]);
  });

  it('reports the first container past the depth limit once, without descending', () => {
    let body: unknown = 'leaf';
    for (let i = 0; i < MAX_JSON_DEPTH * 10; i++) {
      body = [body];
    }
    const problems = jsonBodyProblems(body);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field.split('.')).toHaveLength(MAX_JSON_DEPTH);
  });

  it('stops naming fields after a hundred', () => {
    expect(jsonBodyProblems(Array.from({ length: 5000 }, () => '\u0000'))).toHaveLength(100);
  });
});
