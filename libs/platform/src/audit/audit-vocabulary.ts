// Live, sorted lists that grow as libs declare: the OpenAPI decorators keep a reference to
// AUDIT_ACTIONS when their file loads, and the document is built after every lib has loaded.
const actions: string[] = [];
const targetKinds: string[] = [];

/** Every declared action, sorted: the enum of the audit filter. */
export const AUDIT_ACTIONS: readonly string[] = actions;

/** Every declared target kind, sorted. */
export const AUDIT_TARGET_KINDS: readonly string[] = targetKinds;

const addSorted = (list: string[], items: readonly string[]): void => {
  list.push(...items.filter((item) => !list.includes(item)));
  list.sort();
};

const KIND = /^[a-z][a-z0-9_]*$/;

export interface AuditVocabulary<Kind extends string, Action extends string> {
  readonly targets: readonly Kind[];
  readonly actions: readonly Action[];
  /** The event of `action` done to the `<kind>` with this id (`document:<id>`). */
  event(
    action: Action,
    id: string,
    details?: Record<string, unknown>,
  ): { action: Action; target: string; details?: Record<string, unknown> };
}

/**
 * Declares what a lib records in the audit trail: the kinds of thing it acts on and its actions,
 * each `<kind>.<verb>` over one of its own kinds (`document.archive`). Called once, at import,
 * by the lib's `<name>.audit.ts`: the audit filter accepts, and the OpenAPI document lists, what the
 * libs loaded into the process declared, and AuditLog refuses to record anything else.
 */
export function auditVocabulary<
  const Kind extends string,
  const Action extends `${Kind}.${string}`,
>(vocabulary: {
  targets: readonly Kind[];
  actions: readonly Action[];
}): AuditVocabulary<Kind, Action> {
  for (const kind of vocabulary.targets) {
    if (!KIND.test(kind)) {
      throw new Error(`Audit target kind "${kind}" must be snake_case`);
    }
  }
  for (const action of vocabulary.actions) {
    const [kind = '', verb = '', ...rest] = action.split('.');
    if (!vocabulary.targets.includes(kind as Kind) || !KIND.test(verb) || rest.length > 0) {
      throw new Error(`Audit action "${action}" must be <kind>.<verb> over a kind it declares`);
    }
  }
  addSorted(targetKinds, vocabulary.targets);
  addSorted(actions, vocabulary.actions);

  return {
    ...vocabulary,
    event: (action, id, details) => ({
      action,
      target: `${action.slice(0, action.indexOf('.'))}:${id}`,
      details,
    }),
  };
}

export const isAuditAction = (action: unknown): boolean =>
  typeof action === 'string' && actions.includes(action);

/** `<kind>:<uuid>` with a declared kind. */
export function isAuditTarget(target: unknown): boolean {
  const match = typeof target === 'string' ? /^([a-z0-9_]+):[0-9a-f-]{36}$/.exec(target) : null;

  return match !== null && targetKinds.includes(match[1]!);
}
