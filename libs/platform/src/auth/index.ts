export { principalKey, ROLE_VALUES, type Principal, type Role } from './principal';
export { defineRole, isRole } from './roles';
export { IS_PUBLIC, Public } from './public.decorator';
export { ApiKeyScopes, API_KEY_SCOPES, CurrentPrincipal, Roles, ROLES } from './auth.decorators';
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
  EmailTakenError,
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
export { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, SCOPE_PATTERN } from './api-key.dto';
export { authorize, type AccessRules } from './auth.guard';
