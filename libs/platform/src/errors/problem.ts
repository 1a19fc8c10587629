import { STATUS_CODES } from 'node:http';

/** One offending field of a request: its dotted path and what is wrong with it. */
export interface FieldProblem {
  field: string;
  messages: string[];
}

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code?: string;
  errors?: FieldProblem[];
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types are URNs named after the stable error code, e.g. `urn:problem:bourse:auth.invalid_credentials`. */
export const problemType = (code: string): string => `urn:problem:bourse:${code}`;

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Partial<Problem> = {},
): Problem {
  return {
    type: problemType(code),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}
