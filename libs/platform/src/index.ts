export * from './auth';
export * from './config';
export * from './database';
export * from './errors';
export * from './http';
export * from './logging';
export * from './observability';
export * from './redis';
