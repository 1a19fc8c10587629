export { Database, rows, type Tx } from './database';
export { newId } from './ids';
export { driverCodeOf, uniqueViolationOf } from './transient-errors';
export { DatabaseModule } from './database.module';
export { dataSourceOptions } from './data-source.options';
export { SnakeNamingStrategy } from './naming.strategy';
