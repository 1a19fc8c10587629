import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/**
 * A command's Nest context, quiet: a module that cannot be built is thrown to main(), which
 * prints it (Nest's own abort would exit without a word, its logger being off).
 */
export function commandContext(module: DynamicModule): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(module, { logger: false, abortOnError: false });
}
