export { principalKey, type Principal, type Role } from './principal';
export { IS_PUBLIC, Public } from './public.decorator';
