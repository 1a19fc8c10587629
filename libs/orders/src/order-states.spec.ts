import {
  canMove,
  FINAL_STATES,
  LEGAL_TRANSITIONS,
  OPEN_STATES,
  ORDER_STATES,
} from './order-states';

describe('the top-up order state machine', () => {
  it('declares exactly these transitions', () => {
    expect(LEGAL_TRANSITIONS).toEqual([
      ['created', 'payment_pending'],
      ['created', 'paid'],
      ['created', 'cancelled'],
      ['payment_pending', 'paid'],
      ['payment_pending', 'cancelled'],
      ['payment_pending', 'expired'],
      ['paid', 'submitted'],
      ['paid', 'cancelled'],
      ['submitted', 'delivered'],
      ['submitted', 'failed'],
      ['delivered', 'refunding'],
      ['failed', 'refunding'],
      ['refunding', 'refunded'],
    ]);
  });

  it('refuses every other move, and none leaves a final state', () => {
    for (const from of ORDER_STATES) {
      for (const to of ORDER_STATES) {
        const legal = LEGAL_TRANSITIONS.some(([f, t]) => f === from && t === to);
        expect([from, to, canMove(from, to)]).toEqual([from, to, legal]);
      }
    }
    expect(FINAL_STATES).toEqual(['refunded', 'cancelled', 'expired']);
    expect(OPEN_STATES).toEqual([
      'created',
      'payment_pending',
      'paid',
      'submitted',
      'failed',
      'refunding',
    ]);
  });
});
