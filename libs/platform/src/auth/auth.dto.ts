import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLE_VALUES, type Role } from './principal';

export class RegisterDto {
  @ApiProperty({
    example: 'ada@example.com',
    description: 'Sign-in email; compared case-insensitively.',
  })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 12, maxLength: 128, description: 'At least 12 characters.' })
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  password!: string;
}

export class LoginDto {
  @ApiProperty({
    example: 'ada@example.com',
    description: 'Email the account was registered with.',
  })
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ description: 'The account password.' })
  @IsString()
  @MaxLength(128)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ description: 'The password in use now.' })
  @IsString()
  @MaxLength(128)
  currentPassword!: string;

  @ApiProperty({ minLength: 12, maxLength: 128, description: 'At least 12 characters.' })
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  newPassword!: string;
}

export class RefreshTokenDto {
  @ApiProperty({
    description: 'Refresh token from the last sign-in or refresh (`<id>.<secret>`); single use.',
  })
  @IsString()
  @MaxLength(200)
  refreshToken!: string;
}

export class LogoutDto extends RefreshTokenDto {
  @ApiPropertyOptional({
    default: false,
    description:
      "End every session of the token's user (every device), not only this one; takes a live (unspent) refresh token.",
  })
  @IsOptional()
  @IsBoolean()
  everywhere?: boolean;
}

export class UserLookupDto {
  @ApiProperty({ example: 'ada@example.com', description: 'Sign-in email, any case.' })
  @IsString()
  @MaxLength(254)
  email!: string;
}

export class UserDto {
  @ApiProperty({ format: 'uuid', description: 'User id.' })
  id!: string;

  @ApiProperty({ description: 'Sign-in email, lowercased.' })
  email!: string;

  @ApiProperty({
    type: String,
    // The live list: the roles the libs declare are in it by the time the document is built.
    enum: ROLE_VALUES as Role[],
    description: 'What the user may do (the declared roles); admins are seeded.',
  })
  role!: Role;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the account was made.' })
  createdAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'When an admin disabled the account (no sign-in, no refresh); null while it works.',
  })
  disabledAt!: Date | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'When the e-mail was verified (the e-mailed link, a password reset, or a provider vouching); until then no value moves and no identity check starts.',
  })
  emailVerifiedAt!: Date | null;

  @ApiProperty({ description: 'Two-factor (TOTP) is on: sign-in and step-ups ask for a code.' })
  twoFactorEnabled!: boolean;
}

export class SessionDto {
  @ApiProperty({ type: UserDto, description: 'The signed-in user.' })
  user!: UserDto;

  @ApiProperty({ description: 'JWT to send as `Authorization: Bearer <token>`.' })
  accessToken!: string;

  @ApiProperty({
    type: 'integer',
    example: 900,
    description: 'Seconds until the access token expires.',
  })
  expiresIn!: number;

  @ApiProperty({
    description:
      'Opaque, single-use token for POST /v1/auth/refresh. Using one twice revokes the session.',
  })
  refreshToken!: string;
}
