/** Every declared role, in declaration order: live, so later declarations are seen everywhere. */
const declared: string[] = [];
const meanings = new Map<string, string>();

/** A role a user holds (`users.role`), one the platform or a lib declared with defineRole. */
export type Role = string;

/** The declared roles; the same array as roles are added, so checks see a lib's too. */
export const ROLE_VALUES: readonly Role[] = declared;

/**
 * Declares a role, with what it may do: the platform declares its own below, a lib its own in
 * its code (`defineRole('treasurer', '...')`), then guards routes with `@Roles(...)`. Declaring
 * one twice with the same meaning is harmless (a lib loaded twice in tests).
 */
export function defineRole<const R extends string>(role: R, meaning: string): R {
  if (!/^[a-z][a-z_]*$/.test(role)) {
    throw new Error(`Role "${role}" must be lowercase letters and underscores`);
  }
  const known = meanings.get(role);
  if (known !== undefined && known !== meaning) {
    throw new Error(`Role "${role}" is already declared as: ${known}`);
  }
  if (known === undefined) {
    meanings.set(role, meaning);
    declared.push(role);
  }

  return role;
}

export const isRole = (role: unknown): role is Role =>
  typeof role === 'string' && meanings.has(role);

defineRole('user', 'signs up and uses the app for themselves');
defineRole('admin', 'runs the platform: users, API keys, every admin route');
defineRole('compliance', 'reviews identity checks and the audit trail; sees personal data');
defineRole('support', 'reads users and their records to help them; moves no money');
