import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FieldProblem, Problem } from './problem';

export class FieldProblemDto implements FieldProblem {
  @ApiProperty({
    example: 'email',
    description: 'Dotted path of the offending field (`items.0.amount`) or header name.',
  })
  field!: string;

  @ApiProperty({
    type: [String],
    example: ['email must be an email'],
    description: 'What is wrong with it.',
  })
  messages!: string[];
}

/** RFC 9457 problem document: the body of every 4xx and 5xx response. */
export class ProblemDto implements Problem {
  @ApiProperty({
    example: 'urn:problem:bourse:auth.invalid_credentials',
    description: 'URI naming the problem type.',
  })
  type!: string;

  @ApiProperty({ example: 'Unauthorized', description: 'Short summary of the HTTP status.' })
  title!: string;

  @ApiProperty({ example: 401, description: 'HTTP status code.' })
  status!: number;

  @ApiProperty({
    example: 'Email or password is wrong',
    description: 'Human-readable explanation of this occurrence.',
  })
  detail!: string;

  @ApiProperty({
    example: 'auth.invalid_credentials',
    description: 'Stable machine-readable code (`<lib>.<reason>`).',
  })
  code!: string;

  @ApiProperty({
    example: '/v1/auth/login',
    description: 'The request path that caused the problem.',
  })
  instance!: string;

  @ApiProperty({
    example: '0193a5b8-7c1e-7d4a-9f00-3b2f1c9e8a11',
    description: 'Request id, as in the X-Request-Id header.',
  })
  requestId!: string;

  @ApiPropertyOptional({
    type: [FieldProblemDto],
    description: 'For `validation.failed`: every offending field.',
  })
  errors?: FieldProblemDto[];

  [extension: string]: unknown;
}
