import { isIP } from 'node:net';

/**
 * One environment variable: parsing, default and the text the README configuration table is
 * checked against. The platform's are in config.schema.ts, a lib's in its config section; nothing
 * else in the codebase reads process.env.
 */
export interface VarSpec<T> {
  description: string;
  /** Used when the variable is unset or empty; absent means required. */
  default?: string;
  /** Required in production even though it has a development default. */
  requiredInProduction?: boolean;
  secret?: boolean;
  parse(raw: string): T;
}

class ParseError extends Error {}

const fail = (message: string): never => {
  throw new ParseError(message);
};

export const str = (
  spec: Omit<VarSpec<string>, 'parse'> & { minLength?: number },
): VarSpec<string> => ({
  ...spec,
  parse: (raw) =>
    raw.length >= (spec.minLength ?? 1)
      ? raw
      : fail(`must be at least ${spec.minLength ?? 1} characters`),
});

export const int = (
  spec: Omit<VarSpec<number>, 'parse'> & { min?: number; max?: number },
): VarSpec<number> => ({
  ...spec,
  parse: (raw) => {
    if (!/^-?\d+$/.test(raw)) {
      return fail(`must be an integer, got "${raw}"`);
    }
    const value = Number(raw);
    if (spec.min !== undefined && value < spec.min) {
      return fail(`must be >= ${spec.min}, got ${value}`);
    }
    if (spec.max !== undefined && value > spec.max) {
      return fail(`must be <= ${spec.max}, got ${value}`);
    }

    return value;
  },
});

export const oneOf = <T extends string>(
  values: readonly T[],
  spec: Omit<VarSpec<T>, 'parse'>,
): VarSpec<T> => ({
  ...spec,
  parse: (raw) =>
    (values as readonly string[]).includes(raw)
      ? (raw as T)
      : fail(`must be one of ${values.join(', ')}, got "${raw}"`),
});

/** A URL; with `default: ''` the variable is optional and unset reads as ''. */
export const url = (
  protocols: string[],
  spec: Omit<VarSpec<string>, 'parse'>,
): VarSpec<string> => ({
  ...spec,
  parse: (raw) => {
    if (raw === '' && spec.default === '') {
      return raw;
    }
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return fail(`must be a URL (${protocols.join(' or ')}), got "${raw}"`);
    }

    return protocols.includes(parsed.protocol)
      ? raw
      : fail(`must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  },
});

export const list = (spec: Omit<VarSpec<string[]>, 'parse'>): VarSpec<string[]> => ({
  ...spec,
  parse: (raw) =>
    raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
});

/** An external OpenID Connect provider whose access tokens the api accepts (see the README). */
export interface OidcProvider {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** Claim holding the user's role(s), a string or an array; the first declared role wins. */
  rolesClaim?: string;
}

const isHttpUrl = (value: unknown): boolean => {
  try {
    return typeof value === 'string' && /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** A JSON array of `{ issuer, audience, jwksUrl, rolesClaim? }`. */
export const oidcProviders = (
  spec: Omit<VarSpec<OidcProvider[]>, 'parse'>,
): VarSpec<OidcProvider[]> => ({
  ...spec,
  parse: (raw) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return fail('must be a JSON array of { issuer, audience, jwksUrl, rolesClaim? }');
    }
    if (!Array.isArray(parsed)) {
      return fail('must be a JSON array of { issuer, audience, jwksUrl, rolesClaim? }');
    }

    return parsed.map((item: Record<string, unknown>, index) => {
      const { issuer, audience, jwksUrl, rolesClaim } = item ?? {};
      if (typeof issuer !== 'string' || !issuer || typeof audience !== 'string' || !audience) {
        return fail(`provider ${index}: issuer and audience are required strings`);
      }
      if (!isHttpUrl(jwksUrl)) {
        return fail(`provider ${index}: jwksUrl must be an http(s) URL`);
      }
      if (rolesClaim !== undefined && typeof rolesClaim !== 'string') {
        return fail(`provider ${index}: rolesClaim must be a string`);
      }

      return { issuer, audience, jwksUrl: jwksUrl as string, rolesClaim };
    });
  },
});

// proxy-addr's named ranges, accepted by Fastify's trustProxy beside addresses and CIDRs.
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

const isProxyAddress = (item: string): boolean => {
  const [address = '', prefix, ...rest] = item.split('/');
  if (rest.length > 0 || isIP(address) === 0) {
    return PROXY_RANGE_NAMES.includes(item);
  }

  const maxPrefix = isIP(address) === 4 ? 32 : 128;

  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
};

/** `true`, `false`, a hop count, or addresses/CIDRs, checked here: Fastify would throw at boot. */
export const trustProxy = (
  spec: Omit<VarSpec<boolean | number | string[]>, 'parse'>,
): VarSpec<boolean | number | string[]> => ({
  ...spec,
  parse: (raw) => {
    if (raw === 'true' || raw === 'false') {
      return raw === 'true';
    }
    if (/^\d+$/.test(raw)) {
      return Number(raw);
    }
    const items = raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    const bad = items.filter((item) => !isProxyAddress(item));

    return bad.length === 0 && items.length > 0
      ? items
      : fail(`must be true, false, a hop count or addresses/CIDRs, got "${bad.join(',') || raw}"`);
  },
});

export const isParseError = (error: unknown): error is Error => error instanceof ParseError;
