import { Module } from '@nestjs/common';
import { EmailTokenRepository } from './email-token.repository';
import { EmailTokens } from './email-tokens';
import { IdentityKeys } from './identity-keys';

/**
 * The worker's part of account e-mail: EmailTokens.compose renders a queued verification or
 * reset e-mail, which the worker sends through the notifications lib's mailer.
 */
@Module({
  providers: [EmailTokens, EmailTokenRepository, IdentityKeys],
  exports: [EmailTokens],
})
export class AccountEmailsModule {}
