export { DomainError } from './domain.error';
export {
  problem,
  problemType,
  PROBLEM_CONTENT_TYPE,
  type FieldProblem,
  type Problem,
} from './problem';
export { ProblemFilter, sendProblem, toProblem } from './problem.filter';
export {
  createValidationPipe,
  flattenValidationErrors,
  RequestValidationError,
} from './validation';
