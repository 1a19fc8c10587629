import { requireConfigSection } from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { ObjectStore } from './object-store';
import { STORAGE_CONFIG } from './storage.config';
import { UploadPurposes, type UploadPurpose } from './upload-purpose';
import { UploadRepository } from './upload.repository';
import { UploadsService } from './uploads.service';

/**
 * Uploads to S3 and reads from it. Needs what the platform provides globally (Database,
 * APP_CONFIG, with the app's config composing STORAGE_CONFIG, the outbox). Libs declare their
 * purposes with `StorageModule.forPurposes`.
 */
@Module({
  providers: [
    requireConfigSection(STORAGE_CONFIG),
    UploadsService,
    UploadRepository,
    ObjectStore,
    UploadPurposes,
  ],
  exports: [UploadsService, UploadPurposes],
})
export class StorageModule {
  /**
   * Declares a lib's upload purposes, e.g. in KycModule's imports:
   * `StorageModule.forPurposes([{ name: 'kyc.document', ... }])`. The registry is the one
   * StorageModule shares with every importer; a name declared twice fails the boot.
   */
  static forPurposes(purposes: UploadPurpose[]): DynamicModule {
    // A class per call, so Nest keeps each lib's declaration as a module of its own.
    class StoragePurposesModule {}

    return {
      module: StoragePurposesModule,
      imports: [StorageModule],
      providers: [
        {
          provide: `storage.purposes:${purposes.map((p) => p.name).join(',')}`,
          inject: [UploadPurposes],
          useFactory: (registry: UploadPurposes) => purposes.forEach((p) => registry.register(p)),
        },
      ],
      exports: [StorageModule],
    };
  }
}
