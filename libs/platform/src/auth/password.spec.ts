import { randomBytes, scryptSync } from 'node:crypto';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password';

describe('password hashing', () => {
  it('stores scrypt, its parameters and a salt in the hash', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
  });

  it('accepts the password and refuses any other', async () => {
    const hash = await hashPassword('correct horse battery');
    await expect(verifyPassword('correct horse battery', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', hash)).resolves.toBe(false);
  });

  it('salts every hash, so equal passwords do not look equal', async () => {
    expect(await hashPassword('same password!')).not.toBe(await hashPassword('same password!'));
  });

  it('verifies with the parameters stored in the hash, so the current ones can be raised', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('made with older params', salt, 64, { N: 2 ** 14, r: 8, p: 1 });
    const stored = `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    await expect(verifyPassword('made with older params', stored)).resolves.toBe(true);
  });

  it('treats unreadable hashes as a mismatch instead of throwing', async () => {
    const unreadable = [
      '',
      'bcrypt$x',
      'scrypt$a$8$1$salt$key',
      'scrypt$16384$8$1$c2FsdA',
      'scrypt$1000$8$1$c2FsdA$a2V5', // N must be a power of two
    ];
    for (const stored of unreadable) {
      await expect(verifyPassword('whatever', stored)).resolves.toBe(false);
    }
  });

  it('keeps one dummy hash that no guessable password matches', async () => {
    const dummy = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(dummy);
    await expect(verifyPassword('', dummy)).resolves.toBe(false);
  });
});
