import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  it('answers a token until the millisecond it expires', () => {
    let now = 1_000;
    const tokens = new VerifiedTokens<string>(10, () => now);
    tokens.set('a', 'claims of a', 2_000);

    expect(tokens.get('a')).toBe('claims of a');
    now = 1_999;
    expect(tokens.get('a')).toBe('claims of a');
    now = 2_000;
    expect(tokens.get('a')).toBeUndefined();
    now = 1_500;
    expect(tokens.get('a')).toBeUndefined(); // forgotten once expired
    expect(tokens.get('unknown')).toBeUndefined();
  });

  it('makes room by dropping the oldest token', () => {
    const tokens = new VerifiedTokens<number>(2, () => 0);
    tokens.set('a', 1, 10);
    tokens.set('b', 2, 10);
    tokens.set('c', 3, 10);

    expect([tokens.get('a'), tokens.get('b'), tokens.get('c')]).toEqual([undefined, 2, 3]);
  });
});
