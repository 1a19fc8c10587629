import {
  assertTransition,
  canTransition,
  KYC_STATES,
  KYC_TRANSITIONS,
  KycTransitionError,
  type KycState,
} from './kyc.states';

describe('KYC state machine', () => {
  it('walks the happy path from not_started to approved', () => {
    const path: KycState[] = ['not_started', 'collecting', 'submitted', 'in_review', 'approved'];
    for (let i = 1; i < path.length; i++) {
      expect(() => assertTransition(path[i - 1]!, path[i]!)).not.toThrow();
    }
  });

  it('lets a resubmission go back to collecting and round again', () => {
    expect(canTransition('in_review', 'resubmission_requested')).toBe(true);
    expect(canTransition('resubmission_requested', 'collecting')).toBe(true);
    expect(canTransition('collecting', 'submitted')).toBe(true);
  });

  it('lets an approval be revoked (a late RED), and a hold be reviewed again', () => {
    expect(canTransition('approved', 'rejected')).toBe(true);
    expect(canTransition('in_review', 'on_hold')).toBe(true);
    expect(canTransition('on_hold', 'in_review')).toBe(true);
  });

  it.each([
    ['not_started', 'approved'],
    ['not_started', 'submitted'],
    ['collecting', 'approved'],
    ['submitted', 'approved'],
    ['submitted', 'collecting'],
    ['rejected', 'approved'],
    ['rejected', 'collecting'],
    ['approved', 'in_review'],
    ['on_hold', 'approved'],
  ] as const)('refuses %s → %s with 409 kyc.invalid_transition', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let error: unknown;
    try {
      assertTransition(from, to);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(KycTransitionError);
    expect(error).toMatchObject({
      code: 'kyc.invalid_transition',
      status: 409,
      extensions: { state: from, to },
    });
  });

  it('declares every state, with moves only to declared states, and rejected final', () => {
    expect(Object.keys(KYC_TRANSITIONS).sort()).toEqual([...KYC_STATES].sort());
    for (const targets of Object.values(KYC_TRANSITIONS)) {
      for (const to of targets) {
        expect(KYC_STATES).toContain(to);
      }
    }
    expect(KYC_TRANSITIONS.rejected).toEqual([]);
    // Nothing but a reviewer's decision reaches approved.
    const intoApproved = KYC_STATES.filter((s) => canTransition(s, 'approved'));
    expect(intoApproved).toEqual(['in_review']);
  });
});
