import { STORAGE_QUEUE, StorageJob, UploadsService, type ThumbnailJob } from '@bourse/storage';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

@Processor(STORAGE_QUEUE)
export class ThumbnailProcessor {
  constructor(private readonly uploads: UploadsService) {}

  @Process(StorageJob.Thumbnail)
  @TracedJob()
  handle({ data }: Job<ThumbnailJob>): Promise<string> {
    return this.uploads.makeThumbnail(data);
  }
}
