import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'bourse:public';

/** Opts a route (or controller) out of the global authentication guard. */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
