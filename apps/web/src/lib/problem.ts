import type { components } from '@bourse/client';

type Problem = components['schemas']['ProblemDto'];

/** A problem document as one line for people: its detail, and each offending field. */
export function describeProblem(problem: Problem | undefined, fallback: string): string {
  if (!problem) {
    return fallback;
  }
  const fields = (problem.errors ?? []).map((e) => `${e.field}: ${e.messages.join(', ')}`);

  return [problem.detail, ...fields].join(' · ');
}
