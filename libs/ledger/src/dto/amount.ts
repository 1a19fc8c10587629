import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, ValidateBy } from 'class-validator';

/** A positive amount in minor units as JSON carries it: a decimal string, never a number. */
export const AMOUNT_PATTERN = /^[1-9]\d{0,18}$/;
const INT64_MAX = 9_223_372_036_854_775_807n;

const amountRules = (): PropertyDecorator[] => [
  IsString({ message: '$property must be a decimal string of minor units, not a number' }),
  Matches(AMOUNT_PATTERN, {
    message: '$property must be a positive integer of at most 19 digits without a leading zero',
  }),
  // 19 digits can exceed Postgres' bigint: refuse it here, naming the field, not deep in the ledger.
  ValidateBy({
    name: 'fitsInt64',
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'string' || !AMOUNT_PATTERN.test(value) || BigInt(value) <= INT64_MAX,
      defaultMessage: () => '$property must be at most 9223372036854775807',
    },
  }),
];

/** A required money field of a request. */
export const IsMinorUnits = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ type: String, pattern: AMOUNT_PATTERN.source, example: '1250', description }),
    ...amountRules(),
  );

/** An optional money field of a request. */
export const IsOptionalMinorUnits = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      type: String,
      required: false,
      pattern: AMOUNT_PATTERN.source,
      example: '1000',
      description,
    }),
    IsOptional(),
    ...amountRules(),
  );
