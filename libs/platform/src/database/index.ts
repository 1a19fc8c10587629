export { Database, rows, type Tx } from './database';
export { MicroBatcher, type MicroBatcherOptions } from './micro-batcher';
export { newId } from './ids';
export { driverCodeOf, uniqueViolationOf } from './transient-errors';
export { DatabaseModule } from './database.module';
export { dataSourceOptions, type DataSourceParts } from './data-source.options';
