export {
  principalKey,
  ROLE_VALUES,
  type ExternalSignIn,
  type Principal,
  type Role,
} from './principal';
export { defineRole, isRole } from './roles';
export { IS_PUBLIC, Public } from './public.decorator';
export {
  ApiKeyScopes,
  API_KEY_SCOPES,
  CurrentPrincipal,
  REQUIRE_STEP_UP,
  RequestClient,
  REQUIRE_VERIFIED_EMAIL,
  RequireStepUp,
  RequireVerifiedEmail,
  Roles,
  ROLES,
} from './auth.decorators';
export { AccountChecks } from './account-checks';
export { AccountChecksModule } from './account-checks.module';
export { AccountEmailsModule } from './account-emails.module';
export { EmailTokens, type AccountEmail } from './email-tokens';
export { EmailVerificationService } from './email-verification.service';
export { PasswordResetService } from './password-reset.service';
export { TwoFactorService, type SecondFactorProof } from './two-factor.service';
export { SessionsService, type AuthSession } from './sessions.service';
export type { ClientInfo } from './session.repository';
export { hotp, matchTotp, totpStep } from './totp';
export { NO_PASSWORD } from './password';
export { AuthModule } from './auth.module';
export { AuthService, type Credentials, type NewUser, type Session } from './auth.service';
export { ApiKeyService, type CreatedApiKey, type NewApiKey } from './api-key.service';
export { UserAdminService } from './user-admin.service';
export type { ApiKey } from './api-key.repository';
export type { User } from './user.repository';
export {
  socketAuthMiddleware,
  type AuthenticatedSocket,
  type SocketMiddleware,
} from './socket-auth';
export {
  AccountDisabledError,
  ApiKeyNotFoundError,
  EmailAlreadyVerifiedError,
  EmailTakenError,
  EmailUnverifiedError,
  ExternalEmailTakenError,
  IdentityProviderUnavailableError,
  InvalidEmailTokenError,
  InvalidSecondFactorError,
  ResendTooSoonError,
  SecondFactorRequiredError,
  SessionNotFoundError,
  StepUpRequiredError,
  TwoFactorRequiredError,
  TwoFactorStateError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidTokenError,
  RefreshTokenReusedError,
  TokenExpiredError,
  UnauthenticatedError,
  UserNotFoundError,
} from './auth.errors';
export {
  ChangePasswordDto,
  LoginDto,
  LogoutDto,
  RefreshTokenDto,
  RegisterDto,
  SessionDto,
  UserDto,
  UserLookupDto,
} from './auth.dto';
export {
  AuthSessionDto,
  EmailTokenDto,
  ForgotPasswordDto,
  RecoveryCodesDto,
  ResetPasswordDto,
  SecondFactorDto,
  SignInSecondFactorDto,
  StepUpDto,
  TwoFactorEnrolmentDto,
} from './identity.dto';
export { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, SCOPE_PATTERN } from './api-key.dto';
export { authorize, type AccessRules } from './auth.guard';
