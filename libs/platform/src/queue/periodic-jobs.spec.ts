import { bucketStart } from './periodic-jobs';

describe('bucketStart', () => {
  it('gives every instant of an hour the same bucket, so replicas write one job id', () => {
    const starts = [
      '2030-05-01T10:00:00.000Z',
      '2030-05-01T10:31:07.250Z',
      '2030-05-01T10:59:59.999Z',
    ].map((at) => bucketStart(new Date(at), 3600).toISOString());

    expect(new Set(starts)).toEqual(new Set(['2030-05-01T10:00:00.000Z']));
  });

  it('starts the next bucket exactly at the boundary', () => {
    expect(bucketStart(new Date('2030-05-01T11:00:00.000Z'), 3600).toISOString()).toBe(
      '2030-05-01T11:00:00.000Z',
    );
  });

  it('aligns buckets that do not divide an hour to the epoch', () => {
    expect(bucketStart(new Date('2030-05-01T10:00:06.000Z'), 7).getTime() % 7000).toBe(0);
  });
});
