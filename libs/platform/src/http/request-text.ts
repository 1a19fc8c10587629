import type { FieldProblem } from '../errors/problem';
import { unstorableText } from './json-body-limits';

const MALFORMED_MESSAGE =
  'must be percent-encoded UTF-8 (a lone surrogate or a stray byte has no UTF-8 form)';

/**
 * The query and path parameters of a request that cannot be stored as sent, named as a DTO's
 * validation would name them. The query is read from the raw URL: Fastify's parser keeps a value
 * it cannot decode as its encoded text, so `%ED%A0%80` (a surrogate's bytes) would otherwise
 * arrive as those nine characters.
 */
export function parameterProblems(
  url: string,
  params: Record<string, string | undefined>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [name, value] of Object.entries(params)) {
    const message = value === undefined ? undefined : unstorableText(value);
    if (message) {
      problems.push({ field: name, messages: [message] });
    }
  }
  const start = url.indexOf('?');
  if (start === -1) {
    return problems;
  }
  for (const pair of url.slice(start + 1).split('&')) {
    const equals = pair.indexOf('=');
    const rawKey = equals === -1 ? pair : pair.slice(0, equals);
    const key = decoded(rawKey);
    const value = equals === -1 ? '' : decoded(pair.slice(equals + 1));
    const message =
      key === undefined || value === undefined
        ? MALFORMED_MESSAGE
        : (unstorableText(key) ?? unstorableText(value));
    if (message) {
      problems.push({ field: key ?? rawKey, messages: [message] });
    }
  }

  return problems;
}

/** The path parameters whose percent-encoding is not UTF-8, found by routing with them replaced. */
export function malformedPathParameters(
  path: string,
  route: (path: string) => Record<string, string | undefined> | undefined,
): FieldProblem[] {
  const markers = new Set<string>();
  const segments = path.split('/').map((segment, i) => {
    if (decoded(segment) !== undefined) {
      return segment;
    }
    const marker = `~malformed${i}~`;
    markers.add(marker);

    return marker;
  });
  if (markers.size === 0) {
    return [];
  }

  return Object.entries(route(segments.join('/')) ?? {})
    .filter(([, value]) => value !== undefined && markers.has(value))
    .map(([name]) => ({ field: name, messages: [MALFORMED_MESSAGE] }));
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}
