import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Database } from './database';
import { registerEntities } from './entity-registry';

@Global()
@Module({ providers: [Database], exports: [Database] })
export class DatabaseModule {
  /** Declares a lib's entity classes (simple one-table reads); SQL that guards money stays in repositories. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  static forFeature(entities: Function[]): DynamicModule {
    registerEntities(entities);

    return { module: DatabaseModule };
  }
}
