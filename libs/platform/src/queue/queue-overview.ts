import { ApiProperty } from '@nestjs/swagger';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { QueueRegistry } from './queue.registry';

/** Seconds since the oldest waiting job of `queue` was added; null when none waits. */
export async function oldestWaitingSeconds(queue: Queue, now = Date.now()): Promise<number | null> {
  // Waiting jobs are pushed on the list's head: (0, 0) ascending reads its tail.
  const [oldest] = await queue.getWaiting(0, 0);

  return oldest ? Math.max(0, now - oldest.timestamp) / 1000 : null;
}

export class QueueCountsDto {
  @ApiProperty({ example: 3 }) waiting!: number;
  @ApiProperty({ example: 1 }) active!: number;
  @ApiProperty({ example: 0 }) delayed!: number;
  @ApiProperty({ example: 0 }) paused!: number;
  @ApiProperty({ example: 1200, description: 'Kept for a day (bounded by count).' })
  completed!: number;
  @ApiProperty({ example: 2, description: 'Out of attempts; kept for a week.' })
  failed!: number;
}

export class QueueSummaryDto {
  @ApiProperty({ example: 'platform' }) name!: string;
  @ApiProperty({ type: QueueCountsDto }) counts!: QueueCountsDto;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 4.2,
    description: 'Seconds since the oldest waiting job was added; null when none waits.',
  })
  oldestWaitingSeconds!: number | null;
}

export class QueueListDto {
  @ApiProperty({ type: [QueueSummaryDto] }) data!: QueueSummaryDto[];
}

/** What is in each Bull queue, read from Redis (the api runs no processors: producer queues). */
@Injectable()
export class QueueOverview {
  constructor(private readonly queues: QueueRegistry) {}

  list(names: string[], now = Date.now()): Promise<QueueListDto> {
    return Promise.all(
      names.map(async (name) => {
        const queue = this.queues.get(name);
        const [counts, paused, oldest] = await Promise.all([
          queue.getJobCounts(),
          queue.getPausedCount(),
          oldestWaitingSeconds(queue, now),
        ]);

        return {
          name,
          counts: {
            waiting: counts.waiting,
            active: counts.active,
            delayed: counts.delayed,
            paused,
            completed: counts.completed,
            failed: counts.failed,
          },
          oldestWaitingSeconds: oldest,
        };
      }),
    ).then((data) => ({ data }));
  }
}
