import { formatToken, hashSecret, newSecret, parseToken, secretMatches } from './opaque-token';

const ID = '0190f3c4-7b1a-7cc2-9a3e-1f2d3c4b5a69';

describe('opaque tokens', () => {
  it('round-trips <id>.<secret>', () => {
    const token = { id: ID, secret: newSecret() };
    expect(parseToken(formatToken(token))).toEqual(token);
  });

  it('rejects shapes that would reach the database as garbage', () => {
    const secret = newSecret();
    for (const value of ['', ID, `${ID}.`, `.${secret}`, `not-a-uuid.${secret}`, `${ID}.short`]) {
      expect(parseToken(value)).toBeUndefined();
    }
  });

  it('matches a secret only against its own hash', () => {
    const secret = newSecret();
    expect(secretMatches(secret, hashSecret(secret))).toBe(true);
    expect(secretMatches(newSecret(), hashSecret(secret))).toBe(false);
    expect(secretMatches(secret, Buffer.alloc(3))).toBe(false);
  });
});
