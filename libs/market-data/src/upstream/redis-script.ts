import type Redis from 'ioredis';

type ScriptArg = string | number;
type ScriptCall = (...args: ScriptArg[]) => Promise<unknown>;

/**
 * A Lua script run with EVALSHA (ioredis falls back to EVAL after a NOSCRIPT). ioredis prefixes
 * the first `keys` arguments with the client's keyPrefix like any key; the remaining arguments
 * (channel names included) are passed untouched.
 */
export function luaScript(redis: Redis, name: string, keys: number, lua: string): ScriptCall {
  const commands = redis as unknown as Record<string, ScriptCall>;
  if (typeof commands[name] !== 'function') {
    redis.defineCommand(name, { numberOfKeys: keys, lua });
  }

  return (...args) => commands[name]!(...args);
}
