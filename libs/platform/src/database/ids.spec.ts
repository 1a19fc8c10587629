import { newId } from './ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  afterEach(() => jest.restoreAllMocks());

  it('makes distinct UUIDv7s in creation order, across pool refills', () => {
    const ids = Array.from({ length: 5000 }, newId);

    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps counting up within one millisecond and while the clock steps back', () => {
    const now = Date.now() + 60_000;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
    const sameMs = Array.from({ length: 300 }, newId);
    clock.mockReturnValue(now - 1000);
    const afterStepBack = Array.from({ length: 300 }, newId);
    const ids = [...sameMs, ...afterStepBack];

    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The millisecond stays the one already used, not the earlier clock reading.
    expect(afterStepBack.at(-1)!.slice(0, 13)).toBe(sameMs[0]!.slice(0, 13));
  });
});
