import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';

const derive = (secret: string, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, 'bourse', purpose, 32));

/**
 * Keys derived from JWT_SECRET (HKDF, one per purpose), so no new secret has to be deployed and
 * none signs what another does.
 */
@Injectable()
export class IdentityKeys {
  private readonly emailTokens: Buffer;
  private readonly totp: Buffer;
  /** Signs sign-in challenges; never the access tokens' key, so one cannot pass for the other. */
  readonly challenge: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.emailTokens = derive(config.auth.jwtSecret, 'email-tokens');
    this.totp = derive(config.auth.jwtSecret, 'totp-secrets');
    this.challenge = derive(config.auth.jwtSecret, 'sign-in-challenges');
  }

  /**
   * An e-mailed token's secret, computed from its id: the database keeps only its hash and the
   * outbox job only the id, so the link exists in clear nowhere but the e-mail.
   */
  emailTokenSecret(id: string): string {
    return createHmac('sha256', this.emailTokens).update(id).digest('base64url');
  }

  /** AES-256-GCM: nonce, tag, ciphertext. A TOTP secret must be read back, so it is not hashed. */
  sealTotp(secret: Buffer): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.totp, nonce);
    const sealed = Buffer.concat([cipher.update(secret), cipher.final()]);

    return Buffer.concat([nonce, cipher.getAuthTag(), sealed]);
  }

  openTotp(sealed: Buffer): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.totp, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));

    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  }
}
