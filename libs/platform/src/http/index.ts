export { configureHttpApp, createFastifyAdapter } from './http-app';
export { buildOpenApiDocument } from './openapi';
export { requestIdFor } from './request-id';
export { isOperationalPath } from './request-path';
export { closeOnSignals, gracefulShutdown } from './shutdown';
export { runHttpProcess } from './entrypoint';
export { createHttpApp, type HttpAppOptions, type ModuleImport } from './create-http-app';
export { PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT, PageQueryDto, pageOf } from './page.dto';
export { KeepRawBody, RawBody } from './raw-body';
