import type { FieldProblem } from '../errors/problem';

/** Deeper bodies are refused: nothing a client sends us needs more, and every walk stays shallow. */
export const MAX_JSON_DEPTH = 32;
/** A body with thousands of bad strings gets this many named, not a response as big as itself. */
const MAX_PROBLEMS = 100;

const NUL = '\u0000';
const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
const LONE_SURROGATE_MESSAGE =
  'must not contain a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair)';

/**
 * Why a string cannot be stored as sent, or undefined when it can. Postgres' text and jsonb refuse
 * U+0000 (a 500 from whichever insert meets it first), and a lone surrogate has no UTF-8 form:
 * jsonb refuses its escape and text would keep U+FFFD in its place, silently changed.
 */
export function unstorableText(value: string): string | undefined {
  if (value.includes(NUL)) {
    return NUL_MESSAGE;
  }

  return value.isWellFormed() ? undefined : LONE_SURROGATE_MESSAGE;
}

/**
 * What a parsed JSON body holds that Postgres cannot store or our code should not walk: strings
 * and keys that unstorableText refuses and nesting deeper than MAX_JSON_DEPTH (canonical
 * hashing, log redaction and jsonb parsing all recurse). Walked iteratively, in document order.
 */
export function jsonBodyProblems(body: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: { value: unknown; path: string; depth: number; badKey?: string }[] = [
    { value: body, path: '', depth: 0 },
  ];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value, path, depth, badKey } = stack.pop()!;
    if (badKey) {
      problems.push({ field: path, messages: [`name ${badKey}`] });
    } else if (typeof value === 'string') {
      const message = unstorableText(value);
      if (message) {
        problems.push({ field: path, messages: [message] });
      }
    } else if (typeof value === 'object' && value !== null) {
      if (depth === MAX_JSON_DEPTH) {
        problems.push({
          field: path,
          messages: [`must not nest objects and arrays more than ${MAX_JSON_DEPTH} levels deep`],
        });
        continue;
      }
      const entries = Object.entries(value);
      // Pushed last to first, so they pop (and are reported) in document order.
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const childPath = path ? `${path}.${key}` : key;
        const keyMessage = unstorableText(key);
        stack.push(
          keyMessage
            ? { value: undefined, path: childPath, depth, badKey: keyMessage }
            : { value: child, path: childPath, depth: depth + 1 },
        );
      }
    }
  }

  return problems;
}
