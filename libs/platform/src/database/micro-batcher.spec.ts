import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  const doubling = () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (inputs) => {
        batches.push(inputs);

        return inputs.map((n) => n * 2);
      },
      { maxSize: 3 },
    );

    return { batches, batcher };
  };

  it('answers calls of one turn with one flush, each with its own result', async () => {
    const { batches, batcher } = doubling();
    const results = await Promise.all([1, 2, 3].map((n) => batcher.run(n)));
    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('flushes a lone call at the end of its turn, and later calls in a batch of their own', async () => {
    const { batches, batcher } = doubling();
    expect(await batcher.run(5)).toBe(10);
    expect(await batcher.run(6)).toBe(12);
    expect(batches).toEqual([[5], [6]]);
  });

  it('splits a turn into batches of at most maxSize', async () => {
    const { batches, batcher } = doubling();
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => batcher.run(n)));
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('holds calls while maxInFlight flushes run, then sends them together', async () => {
    const batches: number[][] = [];
    const finish: (() => void)[] = [];
    const batcher = new MicroBatcher<number, number>(
      async (inputs) => {
        batches.push(inputs);
        await new Promise<void>((resolve) => finish.push(resolve));

        return inputs;
      },
      { maxSize: 3, maxInFlight: 1 },
    );
    // A few turns of the event loop: room for any flush that is due to start.
    const turns = async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const first = batcher.run(1);
    await turns();
    const later = [2, 3, 4, 5].map((n) => batcher.run(n));
    await turns();
    expect(batches).toEqual([[1]]);

    finish.shift()!();
    expect(await first).toBe(1);
    await turns();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    finish.shift()!();
    await turns();
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
    finish.shift()!();
    expect(await Promise.all(later)).toEqual([2, 3, 4, 5]);
  });

  it('fails a whole batch at once when the database is away, and only that batch', async () => {
    const batches: string[][] = [];
    const batcher = new MicroBatcher<string, string>(async (inputs) => {
      batches.push(inputs);
      if (batches.length === 1) {
        throw new Error('Connection terminated unexpectedly');
      }

      return inputs;
    });
    const failed = await Promise.allSettled([batcher.run('a'), batcher.run('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.run('c')).toBe('c');
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('flushes each call of a failed batch on its own, so a bad input fails alone', async () => {
    const batches: string[][] = [];
    const batcher = new MicroBatcher<string, string>(async (inputs) => {
      batches.push(inputs);
      if (inputs.includes('bad')) {
        throw new Error('invalid input syntax');
      }

      return inputs.map((input) => input.toUpperCase());
    });
    const settled = await Promise.allSettled(['a', 'bad', 'b'].map((i) => batcher.run(i)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 'A' },
      { status: 'rejected', reason: new Error('invalid input syntax') },
      { status: 'fulfilled', value: 'B' },
    ]);
    expect(batches).toEqual([['a', 'bad', 'b'], ['a'], ['bad'], ['b']]);
  });

  it('refuses a flush that answers a different number of results', async () => {
    const batcher = new MicroBatcher<number, number>(async () => [1]);
    await expect(Promise.all([batcher.run(1), batcher.run(2)])).rejects.toThrow(
      'a batch of 2 was answered with 1 results',
    );
  });
});
