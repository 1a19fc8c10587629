import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { AuditModule } from '../audit/audit.module';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { AccountChecksModule } from './account-checks.module';
import { AccountEmailsModule } from './account-emails.module';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { EmailVerificationService } from './email-verification.service';
import { ExternalIdentityRepository } from './external-identity.repository';
import { ExternalTokens } from './external-tokens';
import { IdentityKeys } from './identity-keys';
import { LoginAttempts } from './login-attempts';
import { PasswordResetService } from './password-reset.service';
import { RecoveryCodeRepository } from './recovery-code.repository';
import { RefreshTokenRepository } from './refresh-token.repository';
import { RevokedSessions } from './revoked-sessions';
import { SessionRepository } from './session.repository';
import { SessionsService } from './sessions.service';
import { TwoFactorService } from './two-factor.service';
import { UserAdminService } from './user-admin.service';
import { UserRepository } from './user.repository';

/**
 * Users, sessions and API keys, e-mail verification, password reset, two-factor and external
 * providers; importing it puts every route behind the AuthGuard.
 */
@Module({
  imports: [
    AuditModule,
    AccountChecksModule,
    AccountEmailsModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A key object made once: given a string, jsonwebtoken tries (and fails) to parse it as a
        // public key on every verify, a fifth of the api's CPU per authenticated request.
        secret: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')),
        signOptions: { algorithm: 'HS256', expiresIn: config.auth.accessTtlSeconds },
        // Pinned so a token cannot pick its own algorithm (e.g. `none`).
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [
    AuthService,
    LoginAttempts,
    RevokedSessions,
    UserAdminService,
    ApiKeyService,
    UserRepository,
    RefreshTokenRepository,
    ApiKeyRepository,
    IdentityKeys,
    SessionRepository,
    RecoveryCodeRepository,
    ExternalIdentityRepository,
    ExternalTokens,
    EmailVerificationService,
    PasswordResetService,
    TwoFactorService,
    SessionsService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [
    AuthService,
    ApiKeyService,
    UserAdminService,
    RevokedSessions,
    EmailVerificationService,
    PasswordResetService,
    TwoFactorService,
    SessionsService,
    AccountChecksModule,
    AccountEmailsModule,
  ],
})
export class AuthModule {}
