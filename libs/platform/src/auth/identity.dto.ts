import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

export class EmailTokenDto {
  @ApiProperty({
    description: 'The token from the e-mailed link (`<id>.<secret>`, its `token` parameter).',
  })
  @IsString()
  @MaxLength(200)
  token!: string;
}

export class ForgotPasswordDto {
  @ApiProperty({ example: 'ada@example.com', description: 'The sign-in e-mail, any case.' })
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

export class ResetPasswordDto extends EmailTokenDto {
  @ApiProperty({ minLength: 12, maxLength: 128, description: 'At least 12 characters.' })
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  newPassword!: string;
}

/** A second factor: a TOTP code, or (a lost phone) one of the recovery codes. */
export class SecondFactorDto {
  @ApiPropertyOptional({
    example: '492039',
    description: 'The 6-digit code of the authenticator app; required unless `recoveryCode`.',
  })
  @ValidateIf((o: SecondFactorDto) => o.recoveryCode === undefined)
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code?: string;

  @ApiPropertyOptional({
    example: 'k3f9q-x2m7p',
    description: 'One of the recovery codes shown at enrolment (each works once).',
  })
  @ValidateIf((o: SecondFactorDto) => o.code === undefined)
  @IsString()
  @MaxLength(40)
  recoveryCode?: string;
}

export class SignInSecondFactorDto extends SecondFactorDto {
  @ApiProperty({
    description: 'The `challengeToken` of the 403 `auth.second_factor_required` sign-in answer.',
  })
  @IsString()
  @MaxLength(2000)
  challengeToken!: string;
}

export class TwoFactorEnrolmentDto {
  @ApiProperty({
    description: 'The TOTP secret, base32 (to type in when a QR code cannot be scanned).',
  })
  secret!: string;

  @ApiProperty({
    example:
      'otpauth://totp/Bourse:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Bourse&algorithm=SHA1&digits=6&period=30',
    description: 'The `otpauth://` URI to show as a QR code; confirm with a first code.',
  })
  otpauthUri!: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    description:
      'Ten single-use codes for a lost phone. Shown this once: only their hashes are kept.',
  })
  recoveryCodes!: string[];
}

export class StepUpDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'Until when this session may call routes that need a recent second factor.',
  })
  validUntil!: Date;
}

export class AuthSessionDto {
  @ApiProperty({ format: 'uuid', description: 'Session id.' })
  id!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it signed in.' })
  createdAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description:
      'When it was last used to get new tokens (a refresh; access tokens are not counted).',
  })
  lastUsedAt!: Date;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Client address at sign-in or last refresh.',
  })
  ip!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The device: its User-Agent at sign-in or last refresh.',
  })
  userAgent!: string | null;

  @ApiProperty({ description: 'The session of the access token making this request.' })
  current!: boolean;
}
