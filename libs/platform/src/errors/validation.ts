import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldProblem } from './problem';

/** Thrown by the validation pipe; the filter renders its fields as `errors`. */
export class RequestValidationError extends BadRequestException {
  constructor(readonly fields: FieldProblem[]) {
    super(`Invalid request: ${fields.map((f) => f.field).join(', ')}`);
  }
}

/** Flattens class-validator's tree into dotted paths (`items.0.amount`). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];

    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

const COMMON_OPTIONS = {
  transform: true,
  stopAtFirstError: false,
  validationError: { target: false, value: false },
  exceptionFactory: (errors: ValidationError[]) =>
    new RequestValidationError(flattenValidationErrors(errors)),
};

/** Unknown fields are rejected (not silently dropped) and payloads are transformed into DTO instances. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({ ...COMMON_OPTIONS, whitelist: true, forbidNonWhitelisted: true });
}

/**
 * For a provider's webhook payload (`@WebhookPayload()`): the fields the DTO declares are checked
 * the same way, and the many the provider adds that we do not model are kept, not refused. The
 * global pipe leaves custom parameter decorators alone, so only this one runs on them.
 */
export function createLenientValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...COMMON_OPTIONS,
    whitelist: false,
    forbidNonWhitelisted: false,
    validateCustomDecorators: true,
  });
}
