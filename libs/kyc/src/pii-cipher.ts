import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Application-level encryption of personal data (AES-256-GCM). A sealed value is
 * `<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts), so a record names the key it needs and a
 * re-encryption can find what an old key sealed.
 */
export class PiiCipher {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly currentKeyId: string,
  ) {
    if (keys.get(currentKeyId)?.length !== 32) {
      throw new Error(`PII key ${currentKeyId} is missing or not 32 bytes`);
    }
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);

    return [this.currentKeyId, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [keyId = '', iv = '', tag = '', data = ''] = sealed.split('.');
    const key = this.keys.get(keyId);
    if (!key) {
      throw new Error(`No PII key ${keyId} is configured`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));

    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  keyIdOf(sealed: string): string {
    return sealed.split('.')[0]!;
  }

  /** A keyed hash to match or deduplicate a value without decrypting it; kept after erasure. */
  fingerprint(plain: string): string {
    return createHmac('sha256', this.keys.get(this.currentKeyId)!).update(plain).digest('hex');
  }
}
