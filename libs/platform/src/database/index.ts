export { Database, rows, type Tx } from './database';
export { DatabaseModule } from './database.module';
export { dataSourceOptions } from './data-source.options';
export { SnakeNamingStrategy } from './naming.strategy';
